package io.simjoin.operators.events;

import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link QueryEvent}. Format 2: namespace and id (Flink string encoding, null
 * allowed), op (byte), timestamp (long), k (int), threshold (boolean, then the float if present),
 * vector (int length, -1 for none, then the floats), origin (a presence byte, then topic, partition
 * and offset). Format 1 had no origin.
 */
@PublicEvolving
public final class QueryEventSerializer extends EventSerializer<QueryEvent> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 2;

  /** The serializer; it is stateless, so one instance serves every thread. */
  public static final QueryEventSerializer INSTANCE = new QueryEventSerializer();

  private static final QueryEvent EMPTY = QueryEvent.cancel("", "", 0L);

  private QueryEventSerializer() {}

  @Override
  public QueryEvent createInstance() {
    return EMPTY;
  }

  @Override
  public void serialize(QueryEvent e, DataOutputView out) throws IOException {
    Wire.writeString(e.namespace(), out);
    Wire.writeString(e.id(), out);
    out.writeByte(opCode(e.op()));
    out.writeLong(e.timestamp());
    out.writeInt(e.k());
    out.writeBoolean(e.hasThreshold());
    if (e.hasThreshold()) {
      out.writeFloat(e.threshold());
    }
    Wire.writeVector(e.vectorNoCopy(), out);
    Wire.writeOrigin(e.origin().orElse(null), out);
  }

  @Override
  public QueryEvent deserialize(DataInputView in) throws IOException {
    return read(in, FORMAT_VERSION);
  }

  static QueryEvent read(DataInputView in, int format) throws IOException {
    String namespace = Wire.readString(in);
    String id = Wire.readString(in);
    QueryEvent.Op op = op(in.readByte());
    long timestamp = in.readLong();
    int k = in.readInt();
    boolean hasThreshold = in.readBoolean();
    float threshold = hasThreshold ? in.readFloat() : 0f;
    float[] vector = Wire.readVector(in);
    Origin origin = format >= 2 ? Wire.readOrigin(in) : null;
    return QueryEvent.trusted(
        namespace, id, op, vector, k, hasThreshold, threshold, timestamp, origin);
  }

  static byte opCode(QueryEvent.Op op) {
    return switch (op) {
      case ONCE -> 0;
      case REGISTER -> 1;
      case CANCEL -> 2;
    };
  }

  static QueryEvent.Op op(byte code) throws IOException {
    return switch (code) {
      case 0 -> QueryEvent.Op.ONCE;
      case 1 -> QueryEvent.Op.REGISTER;
      case 2 -> QueryEvent.Op.CANCEL;
      default -> throw Wire.unknownCode("QueryEvent.Op", code);
    };
  }

  @Override
  public TypeSerializerSnapshot<QueryEvent> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link QueryEventSerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<QueryEvent> {
    /** For Flink, which instantiates snapshots reflectively when it restores. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    @Override
    protected TypeSerializer<QueryEvent> serializerForFormat(int format) {
      return format == FORMAT_VERSION ? INSTANCE : new OldFormatReader(format);
    }
  }

  /**
   * Reads an older format, writes the current one. Events are never in keyed state, but the
   * in-flight records of an unaligned checkpoint are, serialized in the format of their day.
   */
  static final class OldFormatReader extends EventSerializer<QueryEvent> {
    private static final long serialVersionUID = 1L;
    private final int format;

    OldFormatReader(int format) {
      this.format = format;
    }

    @Override
    public QueryEvent createInstance() {
      return INSTANCE.createInstance();
    }

    @Override
    public void serialize(QueryEvent e, DataOutputView out) throws IOException {
      INSTANCE.serialize(e, out);
    }

    @Override
    public QueryEvent deserialize(DataInputView in) throws IOException {
      return read(in, format);
    }

    @Override
    public TypeSerializerSnapshot<QueryEvent> snapshotConfiguration() {
      return new Snapshot();
    }
  }
}
