package io.simjoin.operators.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.junit.jupiter.api.Test;

class VersionedSerializerSnapshotTest {

  private static final ClassLoader CL = VersionedSerializerSnapshotTest.class.getClassLoader();

  private static final List<TypeSerializer<?>> ALL =
      List.of(
          ItemEventSerializer.INSTANCE,
          QueryEventSerializer.INSTANCE,
          TopKUpdateSerializer.INSTANCE,
          ThresholdMatchSerializer.INSTANCE,
          DeadLetterSerializer.INSTANCE);

  private static byte[] write(TypeSerializerSnapshot<?> snapshot) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    return out.getCopyOfBuffer();
  }

  private static <T> TypeSerializerSnapshot<T> read(byte[] bytes) throws IOException {
    return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(bytes), CL);
  }

  /** A snapshot as a hand-made byte string: class, snapshot version, format version. */
  private static byte[] snapshotBytes(Class<?> snapshotClass, int snapshotVersion, int format)
      throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    out.writeUTF(snapshotClass.getName());
    out.writeInt(snapshotVersion);
    out.writeInt(format);
    return out.getCopyOfBuffer();
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void aRestoredSnapshotIsCompatibleAsIsAndRestoresTheSameSerializer() throws Exception {
    for (TypeSerializer serializer : ALL) {
      TypeSerializerSnapshot written = serializer.snapshotConfiguration();
      TypeSerializerSnapshot restored = read(write(written));
      assertThat(restored).isInstanceOf(written.getClass());
      assertThat(((VersionedSerializerSnapshot) restored).formatVersion())
          .isEqualTo(((VersionedSerializerSnapshot) written).formatVersion());
      TypeSerializerSchemaCompatibility compat =
          serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
      assertThat(compat.isCompatibleAsIs()).as(serializer.getClass().getSimpleName()).isTrue();
      assertThat(restored.restoreSerializer()).isSameAs(serializer);
    }
  }

  @Test
  void theSnapshotStoresTheFormatVersion() throws Exception {
    assertThat(write(ItemEventSerializer.INSTANCE.snapshotConfiguration()))
        .isEqualTo(snapshotBytes(ItemEventSerializer.Snapshot.class, 1, 2));
  }

  @Test
  void aFormatFromANewerWriterIsRefusedWithAClearMessage() throws Exception {
    byte[] bytes = snapshotBytes(ItemEventSerializer.Snapshot.class, 1, 3);
    assertThatThrownBy(() -> read(bytes))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("format version 3 is unknown")
        .hasMessageContaining("newer simjoin");
    byte[] newerSnapshot = snapshotBytes(ItemEventSerializer.Snapshot.class, 2, 1);
    assertThatThrownBy(() -> read(newerSnapshot))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("snapshot version 2 is unknown");
  }

  @Test
  void anOlderFormatIsReadByItsOwnReaderAndMigrated() throws Exception {
    TypeSerializerSnapshot<ItemEvent> old = read(snapshotBytes(TwoFormats.class, 1, 1));
    assertThat(old.restoreSerializer()).isSameAs(TwoFormats.FORMAT_1_READER);
    assertThat(new TwoFormats().resolveSchemaCompatibility(old).isCompatibleAfterMigration())
        .isTrue();
    assertThat(new TwoFormats().restoreSerializer()).isSameAs(ItemEventSerializer.INSTANCE);
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void anotherEventsSnapshotIsIncompatible() {
    TypeSerializerSnapshot items = ItemEventSerializer.INSTANCE.snapshotConfiguration();
    TypeSerializerSnapshot queries = QueryEventSerializer.INSTANCE.snapshotConfiguration();
    assertThat(items.resolveSchemaCompatibility(queries).isIncompatible()).isTrue();
  }

  /** A future ItemEvent serializer that writes format 2 and still reads format 1. */
  public static final class TwoFormats extends VersionedSerializerSnapshot<ItemEvent> {
    static final TypeSerializer<ItemEvent> FORMAT_1_READER = new Format1Reader();

    public TwoFormats() {
      super(2);
    }

    @Override
    protected TypeSerializer<ItemEvent> serializerForFormat(int format) {
      return format == 1 ? FORMAT_1_READER : ItemEventSerializer.INSTANCE;
    }
  }

  /** Stands in for the reader of an old format; only its identity matters here. */
  static final class Format1Reader extends EventSerializer<ItemEvent> {
    @Override
    public ItemEvent createInstance() {
      return ItemEventSerializer.INSTANCE.createInstance();
    }

    @Override
    public void serialize(ItemEvent record, DataOutputView target) throws IOException {
      ItemEventSerializer.INSTANCE.serialize(record, target);
    }

    @Override
    public ItemEvent deserialize(DataInputView source) throws IOException {
      return ItemEventSerializer.INSTANCE.deserialize(source);
    }

    @Override
    public TypeSerializerSnapshot<ItemEvent> snapshotConfiguration() {
      return new TwoFormats();
    }
  }
}
