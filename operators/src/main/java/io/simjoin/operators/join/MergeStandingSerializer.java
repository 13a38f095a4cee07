package io.simjoin.operators.join;

import io.simjoin.operators.events.EventSerializer;
import io.simjoin.state.Match;
import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link MergeStore.Standing}, the value of {@link FlinkMergeStore}'s standing
 * state. Format 1: epoch (long), k (int), cancelled (boolean), cancelMarks (int), the number of
 * shards (int), then per shard its partial, then lastEmitted; each list is its count (int, -1 for
 * null) and per match its id (Flink string encoding) and score (float).
 *
 * <pre>{@code
 * new ValueStateDescriptor<>(name, MergeStandingSerializer.INSTANCE);
 * }</pre>
 */
@PublicEvolving
public final class MergeStandingSerializer extends EventSerializer<MergeStore.Standing> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 1;

  /** The serializer; it is stateless, so one instance serves every thread. */
  public static final MergeStandingSerializer INSTANCE = new MergeStandingSerializer();

  private MergeStandingSerializer() {}

  /** {@code TopKMergeCore} changes it in place, then puts it back. */
  @Override
  public boolean isImmutableType() {
    return false;
  }

  /**
   * A new array of partials: the heap backend copies an entry a snapshot still holds before it is
   * changed in place. The lists themselves are unmodifiable and shared.
   */
  @Override
  public MergeStore.Standing copy(MergeStore.Standing from) {
    MergeStore.Standing to = new MergeStore.Standing(from.epoch, from.k, from.partials.length);
    to.cancelled = from.cancelled;
    to.cancelMarks = from.cancelMarks;
    for (int i = 0; i < from.partials.length; i++) {
      to.partials[i] = from.partials[i] == null ? null : List.copyOf(from.partials[i]);
    }
    to.lastEmitted = from.lastEmitted == null ? null : List.copyOf(from.lastEmitted);
    return to;
  }

  @Override
  public MergeStore.Standing createInstance() {
    return new MergeStore.Standing(0L, 0, 0);
  }

  @Override
  public void serialize(MergeStore.Standing st, DataOutputView out) throws IOException {
    out.writeLong(st.epoch);
    out.writeInt(st.k);
    out.writeBoolean(st.cancelled);
    out.writeInt(st.cancelMarks);
    out.writeInt(st.partials.length);
    for (List<Match> p : st.partials) {
      JoinWire.writeNullableMatches(p, out);
    }
    JoinWire.writeNullableMatches(st.lastEmitted, out);
  }

  @Override
  public MergeStore.Standing deserialize(DataInputView in) throws IOException {
    long epoch = in.readLong();
    int k = in.readInt();
    boolean cancelled = in.readBoolean();
    int cancelMarks = in.readInt();
    int shards = in.readInt();
    if (shards < 0) {
      throw JoinWire.corrupt(shards + " shards");
    }
    MergeStore.Standing st = new MergeStore.Standing(epoch, k, shards);
    st.cancelled = cancelled;
    st.cancelMarks = cancelMarks;
    for (int i = 0; i < shards; i++) {
      st.partials[i] = JoinWire.readNullableMatches(in);
    }
    st.lastEmitted = JoinWire.readNullableMatches(in);
    return st;
  }

  @Override
  public TypeSerializerSnapshot<MergeStore.Standing> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link MergeStandingSerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<MergeStore.Standing> {
    /** For Flink, which instantiates snapshots reflectively when it restores. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    @Override
    protected TypeSerializer<MergeStore.Standing> serializerForFormat(int format) {
      return INSTANCE;
    }
  }
}
