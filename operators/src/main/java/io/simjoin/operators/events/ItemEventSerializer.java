package io.simjoin.operators.events;

import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link ItemEvent}. Format 2: namespace and id (Flink string encoding, null
 * allowed), op (byte), timestamp (long), vector (int length, -1 for none, then the floats), origin
 * (a presence byte, then topic, partition and offset). Format 1 had no origin.
 */
@PublicEvolving
public final class ItemEventSerializer extends EventSerializer<ItemEvent> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 2;

  /** The serializer; it is stateless, so one instance serves every thread. */
  public static final ItemEventSerializer INSTANCE = new ItemEventSerializer();

  private static final ItemEvent EMPTY = ItemEvent.delete("", "", 0L);

  private ItemEventSerializer() {}

  @Override
  public ItemEvent createInstance() {
    return EMPTY;
  }

  @Override
  public void serialize(ItemEvent e, DataOutputView out) throws IOException {
    Wire.writeString(e.namespace(), out);
    Wire.writeString(e.id(), out);
    out.writeByte(opCode(e.op()));
    out.writeLong(e.timestamp());
    Wire.writeVector(e.vectorNoCopy(), out);
    Wire.writeOrigin(e.origin().orElse(null), out);
  }

  @Override
  public ItemEvent deserialize(DataInputView in) throws IOException {
    return read(in, FORMAT_VERSION);
  }

  static ItemEvent read(DataInputView in, int format) throws IOException {
    String namespace = Wire.readString(in);
    String id = Wire.readString(in);
    ItemEvent.Op op = op(in.readByte());
    long timestamp = in.readLong();
    float[] vector = Wire.readVector(in);
    Origin origin = format >= 2 ? Wire.readOrigin(in) : null;
    return ItemEvent.trusted(namespace, id, op, vector, timestamp, origin);
  }

  static byte opCode(ItemEvent.Op op) {
    return switch (op) {
      case UPSERT -> 0;
      case DELETE -> 1;
    };
  }

  static ItemEvent.Op op(byte code) throws IOException {
    return switch (code) {
      case 0 -> ItemEvent.Op.UPSERT;
      case 1 -> ItemEvent.Op.DELETE;
      default -> throw Wire.unknownCode("ItemEvent.Op", code);
    };
  }

  @Override
  public TypeSerializerSnapshot<ItemEvent> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link ItemEventSerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<ItemEvent> {
    /** For Flink, which instantiates snapshots reflectively when it restores. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    @Override
    protected TypeSerializer<ItemEvent> serializerForFormat(int format) {
      return format == FORMAT_VERSION ? INSTANCE : new OldFormatReader(format);
    }
  }

  /**
   * Reads an older format, writes the current one. Events are never in keyed state, but the
   * in-flight records of an unaligned checkpoint are, serialized in the format of their day.
   */
  static final class OldFormatReader extends EventSerializer<ItemEvent> {
    private static final long serialVersionUID = 1L;
    private final int format;

    OldFormatReader(int format) {
      this.format = format;
    }

    @Override
    public ItemEvent createInstance() {
      return INSTANCE.createInstance();
    }

    @Override
    public void serialize(ItemEvent e, DataOutputView out) throws IOException {
      INSTANCE.serialize(e, out);
    }

    @Override
    public ItemEvent deserialize(DataInputView in) throws IOException {
      return read(in, format);
    }

    @Override
    public TypeSerializerSnapshot<ItemEvent> snapshotConfiguration() {
      return new Snapshot();
    }
  }
}
