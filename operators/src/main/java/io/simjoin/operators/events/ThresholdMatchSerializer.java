package io.simjoin.operators.events;

import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link ThresholdMatch}. Format 1: namespace, queryId, itemId (Flink string
 * encoding), score (float), retraction (boolean), timestamp (long).
 */
@PublicEvolving
public final class ThresholdMatchSerializer extends EventSerializer<ThresholdMatch> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 1;

  /** The serializer; it is stateless, so one instance serves every thread. */
  public static final ThresholdMatchSerializer INSTANCE = new ThresholdMatchSerializer();

  private static final ThresholdMatch EMPTY = ThresholdMatch.match("", "", "", 0f, 0L);

  private ThresholdMatchSerializer() {}

  @Override
  public ThresholdMatch createInstance() {
    return EMPTY;
  }

  @Override
  public void serialize(ThresholdMatch m, DataOutputView out) throws IOException {
    Wire.writeString(m.namespace(), out);
    Wire.writeString(m.queryId(), out);
    Wire.writeString(m.itemId(), out);
    out.writeFloat(m.score());
    out.writeBoolean(m.isRetraction());
    out.writeLong(m.timestamp());
  }

  @Override
  public ThresholdMatch deserialize(DataInputView in) throws IOException {
    String namespace = Wire.readString(in);
    String queryId = Wire.readString(in);
    String itemId = Wire.readString(in);
    float score = in.readFloat();
    boolean retraction = in.readBoolean();
    long timestamp = in.readLong();
    return ThresholdMatch.of(namespace, queryId, itemId, score, retraction, timestamp);
  }

  @Override
  public TypeSerializerSnapshot<ThresholdMatch> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link ThresholdMatchSerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<ThresholdMatch> {
    /** For Flink, which instantiates snapshots reflectively when it restores. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    @Override
    protected TypeSerializer<ThresholdMatch> serializerForFormat(int format) {
      return INSTANCE;
    }
  }
}
