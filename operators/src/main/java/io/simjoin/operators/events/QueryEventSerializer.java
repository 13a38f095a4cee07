package io.simjoin.operators.events;

import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link QueryEvent}. Format 1: namespace and id (Flink string encoding, null
 * allowed), op (byte), timestamp (long), k (int), threshold (boolean, then the float if present),
 * vector (int length, -1 for none, then the floats).
 */
@PublicEvolving
public final class QueryEventSerializer extends EventSerializer<QueryEvent> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 1;

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
  }

  @Override
  public QueryEvent deserialize(DataInputView in) throws IOException {
    String namespace = Wire.readString(in);
    String id = Wire.readString(in);
    QueryEvent.Op op = op(in.readByte());
    long timestamp = in.readLong();
    int k = in.readInt();
    boolean hasThreshold = in.readBoolean();
    float threshold = hasThreshold ? in.readFloat() : 0f;
    float[] vector = Wire.readVector(in);
    return QueryEvent.trusted(namespace, id, op, vector, k, hasThreshold, threshold, timestamp);
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
      return INSTANCE;
    }
  }
}
