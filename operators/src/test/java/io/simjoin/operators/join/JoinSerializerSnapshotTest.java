package io.simjoin.operators.join;

import static io.simjoin.operators.join.JoinSamples.matches;
import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The snapshots restore the same serializers, and copies of mutable state are independent. */
class JoinSerializerSnapshotTest {

  private static final ClassLoader CL = JoinSerializerSnapshotTest.class.getClassLoader();

  private static final List<TypeSerializer<?>> ALL =
      List.of(
          PartialTopKSerializer.INSTANCE,
          StandingQuerySerializer.INSTANCE,
          MergeStandingSerializer.INSTANCE,
          MergeOnceSerializer.INSTANCE);

  private static <T> TypeSerializerSnapshot<T> roundTrip(TypeSerializerSnapshot<T> snapshot)
      throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    return TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(out.getCopyOfBuffer()), CL);
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void aRestoredSnapshotIsCompatibleAsIsAndRestoresTheSameSerializer() throws Exception {
    for (TypeSerializer serializer : ALL) {
      TypeSerializerSnapshot written = serializer.snapshotConfiguration();
      TypeSerializerSnapshot restored = roundTrip(written);
      assertThat(restored).isInstanceOf(written.getClass());
      int expected = serializer == StandingQuerySerializer.INSTANCE ? 2 : 1;
      assertThat(((VersionedSerializerSnapshot) restored).formatVersion()).isEqualTo(expected);
      TypeSerializerSchemaCompatibility compat =
          serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
      assertThat(compat.isCompatibleAsIs()).as(serializer.getClass().getSimpleName()).isTrue();
      assertThat(restored.restoreSerializer()).isSameAs(serializer);
    }
  }

  /** Format 1 kept no query vectors, so there is nothing to migrate it to: say so on restore. */
  @Test
  void standingQueriesOfFormat1AreRefusedWithWhatToDo() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(8);
    out.writeInt(1);
    StandingQuerySerializer.Snapshot old = new StandingQuerySerializer.Snapshot();
    old.readSnapshot(old.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()), CL);
    assertThat(old.formatVersion()).isEqualTo(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(old::restoreSerializer)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("register the standing queries again");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void anotherTypesSnapshotIsIncompatible() {
    TypeSerializerSnapshot standing = MergeStandingSerializer.INSTANCE.snapshotConfiguration();
    TypeSerializerSnapshot once = MergeOnceSerializer.INSTANCE.snapshotConfiguration();
    assertThat(standing.resolveSchemaCompatibility(once).isIncompatible()).isTrue();
  }

  /**
   * The heap backend copies an entry that a snapshot in progress still holds before handing it out;
   * TopKMergeCore then changes that copy in place, which must not reach the snapshot's one.
   */
  @Test
  void aCopyOfMergeStateCanBeChangedWithoutTouchingTheOriginal() {
    MergeStore.Standing st = JoinSamples.standings()[1];
    String before = JoinSamples.render(st);
    MergeStore.Standing copy = MergeStandingSerializer.INSTANCE.copy(st);
    assertThat(JoinSamples.render(copy)).isEqualTo(before);
    copy.partials[0] = matches("z", 9f);
    copy.lastEmitted = null;
    copy.cancelMarks++;
    copy.cancelled = true;
    assertThat(JoinSamples.render(st)).isEqualTo(before);

    MergeStore.Once once = JoinSamples.onces()[1];
    String onceBefore = JoinSamples.render(once);
    MergeStore.Once onceCopy = MergeOnceSerializer.INSTANCE.copy(once);
    onceCopy.partials[1] = List.of();
    onceCopy.received++;
    assertThat(JoinSamples.render(once)).isEqualTo(onceBefore);

    StandingQuery q = JoinSamples.standingQueries()[0];
    StandingQuery qCopy = StandingQuerySerializer.INSTANCE.copy(q);
    qCopy.ids()[0] = "changed";
    qCopy.vector()[0] = 99f;
    assertThat(q.ids()[0]).isEqualTo("sku-2");
    assertThat(q.vector()[0]).isEqualTo(0.5f);
  }

  @Test
  void deserializedListsAreUnmodifiableSoCopiesMayShareThem() throws IOException {
    MergeStore.Standing st = JoinSamples.standings()[1];
    DataOutputSerializer out = new DataOutputSerializer(64);
    MergeStandingSerializer.INSTANCE.serialize(st, out);
    MergeStore.Standing back =
        MergeStandingSerializer.INSTANCE.deserialize(
            new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back.partials()[0]).isUnmodifiable();
    assertThat(back.lastEmitted()).isUnmodifiable();
    assertThat(MergeStandingSerializer.INSTANCE.copy(back).partials()[0])
        .isSameAs(back.partials()[0]);
  }
}
