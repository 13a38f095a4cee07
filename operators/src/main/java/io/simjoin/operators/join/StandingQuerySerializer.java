package io.simjoin.operators.join;

import io.simjoin.operators.events.EventSerializer;
import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link StandingQuery}, the value of {@link FlinkShardState}'s standing
 * queries. Format 2: epoch (long), the vector (its length as an int, then the floats), k (int),
 * threshold (float, NaN for none), the number of matches (int), then per match its item id (Flink
 * string encoding) and score (float). Format 1 had no vector: the standing-query tree held the
 * vectors then, and held them unnormalised, so such state cannot be carried over (see {@link
 * Snapshot}).
 *
 * <pre>{@code
 * new MapStateDescriptor<>(name, StringSerializer.INSTANCE, StandingQuerySerializer.INSTANCE);
 * }</pre>
 */
@PublicEvolving
public final class StandingQuerySerializer extends EventSerializer<StandingQuery> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 2;

  /** Beyond any dimension a join accepts: a larger length read is corruption. */
  private static final int MAX_DIMENSION = 1 << 24;

  /** The serializer; it is stateless, so one instance serves every thread. */
  public static final StandingQuerySerializer INSTANCE = new StandingQuerySerializer();

  private StandingQuerySerializer() {}

  /** Its arrays could be written to, so the heap backend's copy-on-write must get its own. */
  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public StandingQuery copy(StandingQuery from) {
    return new StandingQuery(
        from.epoch(),
        from.vector().clone(),
        from.k(),
        from.threshold(),
        from.ids().clone(),
        from.scores().clone());
  }

  @Override
  public StandingQuery createInstance() {
    return new StandingQuery(0L, new float[0], 0, Float.NaN, new String[0], new float[0]);
  }

  @Override
  public void serialize(StandingQuery q, DataOutputView out) throws IOException {
    out.writeLong(q.epoch());
    float[] v = q.vector();
    out.writeInt(v.length);
    for (float x : v) {
      out.writeFloat(x);
    }
    out.writeInt(q.k());
    out.writeFloat(q.threshold());
    String[] ids = q.ids();
    float[] scores = q.scores();
    out.writeInt(ids.length);
    for (int i = 0; i < ids.length; i++) {
      JoinWire.writeString(ids[i], out);
      out.writeFloat(scores[i]);
    }
  }

  @Override
  public StandingQuery deserialize(DataInputView in) throws IOException {
    long epoch = in.readLong();
    int dim = in.readInt();
    if (dim < 0 || dim > MAX_DIMENSION) {
      throw JoinWire.corrupt("a query vector of dimension " + dim);
    }
    float[] vector = new float[dim];
    for (int i = 0; i < dim; i++) {
      vector[i] = in.readFloat();
    }
    int k = in.readInt();
    float threshold = in.readFloat();
    int n = in.readInt();
    // a partial never holds more than k: a larger count is corruption, not a big allocation
    if (n < 0 || n > k) {
      throw JoinWire.corrupt(n + " matches for k = " + k);
    }
    String[] ids = new String[n];
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      ids[i] = JoinWire.readString(in);
      scores[i] = in.readFloat();
    }
    return new StandingQuery(epoch, vector, k, threshold, ids, scores);
  }

  @Override
  public TypeSerializerSnapshot<StandingQuery> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link StandingQuerySerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<StandingQuery> {
    /** For Flink, which instantiates snapshots reflectively when it restores. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    /**
     * Format 1 is refused: its queries' vectors were in a tree that held them unnormalised, which
     * this version reads as directions, so a restore would answer wrongly rather than fail.
     */
    @Override
    protected TypeSerializer<StandingQuery> serializerForFormat(int format) {
      if (format < FORMAT_VERSION) {
        throw new IllegalStateException(
            "Standing queries in format "
                + format
                + " were written by a simjoin before 0.1 whose standing-query tree held raw"
                + " vectors; this version cannot restore them. Start the job without that state"
                + " and register the standing queries again.");
      }
      return INSTANCE;
    }
  }
}
