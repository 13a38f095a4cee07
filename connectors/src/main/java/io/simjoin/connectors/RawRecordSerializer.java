package io.simjoin.connectors;

import io.simjoin.operators.events.EventSerializer;
import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink serializer for {@link RawRecord}. Format 1: topic (Flink string encoding), partition (int),
 * offset (long), timestamp (long), key and value (int length, -1 for null, then the bytes). Raw
 * records only travel between chained or adjacent tasks and are never kept in state.
 */
@PublicEvolving
public final class RawRecordSerializer extends EventSerializer<RawRecord> {
  private static final long serialVersionUID = 1L;

  static final int FORMAT_VERSION = 1;

  /** The serializer; stateless, so one instance serves every thread. */
  public static final RawRecordSerializer INSTANCE = new RawRecordSerializer();

  private static final RawRecord EMPTY = RawRecord.toWrite("", null, null);

  private RawRecordSerializer() {}

  @Override
  public RawRecord createInstance() {
    return EMPTY;
  }

  @Override
  public void serialize(RawRecord r, DataOutputView out) throws IOException {
    StringValue.writeString(r.topic(), out);
    out.writeInt(r.partition());
    out.writeLong(r.offset());
    out.writeLong(r.timestamp());
    writeBytes(r.key(), out);
    writeBytes(r.value(), out);
  }

  @Override
  public RawRecord deserialize(DataInputView in) throws IOException {
    String topic = StringValue.readString(in);
    if (topic == null) {
      throw new IOException("Corrupt record: RawRecord without a topic");
    }
    int partition = in.readInt();
    long offset = in.readLong();
    long timestamp = in.readLong();
    byte[] key = readBytes(in);
    byte[] value = readBytes(in);
    return new RawRecord(topic, partition, offset, timestamp, key, value);
  }

  private static void writeBytes(byte[] b, DataOutputView out) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static byte[] readBytes(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0) {
      throw new IOException("Corrupt record: RawRecord field of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  @Override
  public TypeSerializerSnapshot<RawRecord> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link RawRecordSerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<RawRecord> {
    /** For Flink, which instantiates snapshots reflectively. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    @Override
    protected TypeSerializer<RawRecord> serializerForFormat(int format) {
      return INSTANCE;
    }
  }
}
