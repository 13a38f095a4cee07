package io.simjoin.operators.join;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;

/**
 * {@link MergeStore} in Flink keyed state, for the query (namespace, query id) that is the current
 * key: the standing query's partials in a {@code ValueState}, pending one-shot answers in a {@code
 * MapState} by epoch, and the last sequence number in a {@code ValueState}.
 *
 * <pre>{@code
 * public void open(OpenContext ctx) {
 *   store = new FlinkMergeStore(getRuntimeContext());
 *   merge = new TopKMergeCore(shards);
 * }
 * public void processElement(PartialTopK p, Context ctx, Collector<TopKUpdate> out) {
 *   Merged m = merge.onPartial(store, p.shard(), p.epoch(), p.k(), p.matches(), p.cause(), p.itemId());
 *   ...
 * }
 * }</pre>
 *
 * <p>What a read returns is the stored object on the heap backend and a fresh copy on RocksDB:
 * {@link TopKMergeCore} puts every value back after changing it, so both behave the same. Removing
 * clears the state, so a cancelled query leaves nothing behind.
 */
@PublicEvolving
public final class FlinkMergeStore implements MergeStore {

  /** The standing query's {@link MergeStore.Standing}. Rename on an incompatible change. */
  public static final String STANDING_STATE = "simjoin-merge-standing";

  /** Epoch → {@link MergeStore.Once}, for one-shot queries with shards still to answer. */
  public static final String ONCE_STATE = "simjoin-merge-once";

  /** The last sequence number emitted; absent before the first and after the query is gone. */
  public static final String SEQ_STATE = "simjoin-merge-seq";

  private final ValueState<Standing> standing;
  private final MapState<Long, Once> once;
  private final ValueState<Long> seq;

  /** Opens the states through the operator's runtime context; call it in {@code open()}. */
  public FlinkMergeStore(RuntimeContext context) {
    this(
        context.getState(standingDescriptor()),
        context.getMapState(onceDescriptor()),
        context.getState(seqDescriptor()));
  }

  /** Opens the states in a keyed state store. */
  public FlinkMergeStore(KeyedStateStore store) {
    this(
        store.getState(standingDescriptor()),
        store.getMapState(onceDescriptor()),
        store.getState(seqDescriptor()));
  }

  private FlinkMergeStore(
      ValueState<Standing> standing, MapState<Long, Once> once, ValueState<Long> seq) {
    this.standing = standing;
    this.once = once;
    this.seq = seq;
  }

  /** The descriptor of {@link #STANDING_STATE}, for the State Processor API. */
  public static ValueStateDescriptor<Standing> standingDescriptor() {
    return new ValueStateDescriptor<>(STANDING_STATE, MergeStandingSerializer.INSTANCE);
  }

  /** The descriptor of {@link #ONCE_STATE}. */
  public static MapStateDescriptor<Long, Once> onceDescriptor() {
    return new MapStateDescriptor<>(
        ONCE_STATE, LongSerializer.INSTANCE, MergeOnceSerializer.INSTANCE);
  }

  /** The descriptor of {@link #SEQ_STATE}. */
  public static ValueStateDescriptor<Long> seqDescriptor() {
    return new ValueStateDescriptor<>(SEQ_STATE, LongSerializer.INSTANCE);
  }

  @Override
  public Standing standing() {
    try {
      return standing.value();
    } catch (Exception e) {
      throw StateFailures.of(STANDING_STATE, e);
    }
  }

  @Override
  public void putStanding(Standing st) {
    try {
      standing.update(st);
    } catch (Exception e) {
      throw StateFailures.of(STANDING_STATE, e);
    }
  }

  @Override
  public void removeStanding() {
    standing.clear();
  }

  @Override
  public Once once(long epoch) {
    try {
      return once.get(epoch);
    } catch (Exception e) {
      throw StateFailures.of(ONCE_STATE, e);
    }
  }

  @Override
  public void putOnce(long epoch, Once o) {
    try {
      once.put(epoch, o);
    } catch (Exception e) {
      throw StateFailures.of(ONCE_STATE, e);
    }
  }

  @Override
  public void removeOnce(long epoch) {
    try {
      once.remove(epoch);
    } catch (Exception e) {
      throw StateFailures.of(ONCE_STATE, e);
    }
  }

  @Override
  public long seq() {
    try {
      Long s = seq.value();
      return s == null ? 0L : s;
    } catch (Exception e) {
      throw StateFailures.of(SEQ_STATE, e);
    }
  }

  @Override
  public void putSeq(long s) {
    try {
      seq.update(s);
    } catch (Exception e) {
      throw StateFailures.of(SEQ_STATE, e);
    }
  }

  @Override
  public void removeSeq() {
    seq.clear();
  }
}
