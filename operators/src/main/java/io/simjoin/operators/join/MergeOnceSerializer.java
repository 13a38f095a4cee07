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
 * Flink serializer for {@link MergeStore.Once}, the value of {@link FlinkMergeStore}'s pending
 * one-shot answers. Format 1: k (int), received (int), the number of shards (int), then per shard
 * its partial: the count (int, -1 for a shard not in yet) and per match its id (Flink string
 * encoding) and score (float).
 *
 * <pre>{@code
 * new MapStateDescriptor<>(name, LongSerializer.INSTANCE, MergeOnceSerializer.INSTANCE);
 * }</pre>
 */
@PublicEvolving
public final class MergeOnceSerializer extends EventSerializer<MergeStore.Once> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 1;

  /** The serializer; it is stateless, so one instance serves every thread. */
  public static final MergeOnceSerializer INSTANCE = new MergeOnceSerializer();

  private MergeOnceSerializer() {}

  /** {@code TopKMergeCore} changes it in place, then puts it back. */
  @Override
  public boolean isImmutableType() {
    return false;
  }

  /** A new array of partials; the unmodifiable lists are shared. */
  @Override
  public MergeStore.Once copy(MergeStore.Once from) {
    MergeStore.Once to = new MergeStore.Once(from.k, from.partials.length);
    to.received = from.received;
    for (int i = 0; i < from.partials.length; i++) {
      to.partials[i] = from.partials[i] == null ? null : List.copyOf(from.partials[i]);
    }
    return to;
  }

  @Override
  public MergeStore.Once createInstance() {
    return new MergeStore.Once(0, 0);
  }

  @Override
  public void serialize(MergeStore.Once once, DataOutputView out) throws IOException {
    out.writeInt(once.k);
    out.writeInt(once.received);
    out.writeInt(once.partials.length);
    for (List<Match> p : once.partials) {
      JoinWire.writeNullableMatches(p, out);
    }
  }

  @Override
  public MergeStore.Once deserialize(DataInputView in) throws IOException {
    int k = in.readInt();
    int received = in.readInt();
    int shards = in.readInt();
    if (shards < 0) {
      throw JoinWire.corrupt(shards + " shards");
    }
    MergeStore.Once once = new MergeStore.Once(k, shards);
    once.received = received;
    for (int i = 0; i < shards; i++) {
      once.partials[i] = JoinWire.readNullableMatches(in);
    }
    return once;
  }

  @Override
  public TypeSerializerSnapshot<MergeStore.Once> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link MergeOnceSerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<MergeStore.Once> {
    /** For Flink, which instantiates snapshots reflectively when it restores. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    @Override
    protected TypeSerializer<MergeStore.Once> serializerForFormat(int format) {
      return INSTANCE;
    }
  }
}
