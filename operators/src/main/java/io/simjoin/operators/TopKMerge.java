package io.simjoin.operators;

import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import io.simjoin.operators.join.FlinkMergeStore;
import io.simjoin.operators.join.JoinOutput;
import io.simjoin.operators.join.MergeStore;
import io.simjoin.operators.join.PartialTopK;
import io.simjoin.operators.join.TopKMergeCore;
import io.simjoin.operators.join.WriteBackMergeStore;
import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Merges the partial top-k lists of the S shards of a namespace into each query's global top-k,
 * keyed by {@code (namespace, query id)} (see {@link TopKMergeCore}): a standing query's update is
 * emitted only when its top-k changed, with {@code seq} one higher than the last; a one-shot
 * query's answer once all S shards have answered.
 */
public class TopKMerge extends KeyedProcessFunction<String, PartialTopK, TopKUpdate>
    implements CoalescingTrigger.Holder<TopKUpdate>, CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  /** Queries with absorbed partials that make a coalescing merge flush before its interval. */
  static final int MAX_PENDING = 1 << 16;

  private final int shards;
  private final long coalesceMillis;
  private transient MergeStore store;
  private transient WriteBackMergeStore writeBack;
  private transient TopKMergeCore core;
  private transient Counter updatesOut;
  private transient String currentKey;
  // Coalescing: per query key, the last absorbed item change not yet settled.
  private transient Map<String, Pending> pending;

  /** The last item change absorbed for a query, which its settled update will name. */
  private record Pending(
      String namespace, String queryId, JoinOutput.Cause cause, String itemId, long timestamp) {}

  public TopKMerge(int shards) {
    this(shards, 0);
  }

  /**
   * @param coalesceMillis 0 to merge at every partial; otherwise item-caused partials are absorbed
   *     and each changed query is merged and emitted at most once per this many milliseconds,
   *     before every checkpoint barrier and at the end of the input. Needs {@link
   *     TopKMergeOperator}, which does the flushing.
   */
  public TopKMerge(int shards, long coalesceMillis) {
    if (coalesceMillis < 0) {
      throw new IllegalArgumentException("coalesceMillis must be 0 or more, got " + coalesceMillis);
    }
    this.shards = shards;
    this.coalesceMillis = coalesceMillis;
  }

  @Override
  public void open(OpenContext openContext) {
    FlinkMergeStore flinkStore = new FlinkMergeStore(getRuntimeContext());
    if (coalesceMillis > 0) {
      writeBack = new WriteBackMergeStore(flinkStore, () -> currentKey);
      store = writeBack;
    } else {
      store = flinkStore;
    }
    core = new TopKMergeCore(shards);
    updatesOut = getRuntimeContext().getMetricGroup().counter("updatesOut");
    pending = new LinkedHashMap<>();
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) {
    if (hasPending() || writeBack != null && writeBack.changed() > 0) {
      // TopKMergeOperator flushes before every barrier; state snapshotted now would lose them
      throw new IllegalStateException(
          "TopKMerge has absorbed partials at a snapshot: run it in a TopKMergeOperator, which"
              + " flushes them before every checkpoint barrier");
    }
  }

  @Override
  public void initializeState(FunctionInitializationContext context) {
    // Nothing of its own: all state is keyed, and nothing is held across a restore.
  }

  @Override
  public long coalesceMillis() {
    return coalesceMillis;
  }

  @Override
  public boolean hasPending() {
    return !pending.isEmpty();
  }

  @Override
  public boolean pendingIsFull() {
    return pending.size() >= MAX_PENDING || writeBack != null && writeBack.size() >= MAX_PENDING;
  }

  @Override
  public void flushPending(Consumer<String> setKey, Collector<TopKUpdate> out, boolean persist) {
    Consumer<String> makeCurrent =
        key -> {
          currentKey = key;
          setKey.accept(key);
        };
    for (Map.Entry<String, Pending> e : pending.entrySet()) {
      makeCurrent.accept(e.getKey());
      settle(e.getValue(), out);
    }
    pending.clear();
    if (persist && writeBack != null) {
      writeBack.flush(makeCurrent);
    }
  }

  private void settle(Pending p, Collector<TopKUpdate> out) {
    TopKMergeCore.Merged m = core.settle(store, p.cause(), p.itemId());
    if (m != null) {
      emit(p.namespace(), p.queryId(), p.timestamp(), m, out);
    }
  }

  @Override
  public void processElement(PartialTopK p, Context ctx, Collector<TopKUpdate> out)
      throws Exception {
    currentKey = ctx.getCurrentKey();
    if (coalesceMillis > 0) {
      boolean itemCaused =
          !p.isCancelMark()
              && (p.cause() == JoinOutput.Cause.ITEM_UPSERTED
                  || p.cause() == JoinOutput.Cause.ITEM_DELETED);
      if (itemCaused) {
        if (core.absorb(store, p.shard(), p.epoch(), p.k(), p.matches())) {
          pending.put(
              currentKey,
              new Pending(p.namespace(), p.queryId(), p.cause(), p.itemId(), p.timestamp()));
        }
        return;
      }
      // Anything else of this query is taken in order: what was absorbed goes out first.
      Pending held = pending.remove(currentKey);
      if (held != null) {
        settle(held, out);
      }
    }
    TopKMergeCore.Merged m =
        p.isCancelMark()
            ? core.onCancelled(store, p.shard(), p.epoch())
            : core.onPartial(
                store, p.shard(), p.epoch(), p.k(), p.matches(), p.cause(), p.itemId());
    if (m != null) {
      emit(p.namespace(), p.queryId(), p.timestamp(), m, out);
    }
  }

  private void emit(
      String namespace,
      String queryId,
      long timestamp,
      TopKMergeCore.Merged m,
      Collector<TopKUpdate> out) {
    List<ScoredItem> matches = new ArrayList<>(m.matches().size());
    for (Match x : m.matches()) {
      matches.add(new ScoredItem(x.id(), x.score()));
    }
    updatesOut.inc();
    out.collect(TopKUpdate.of(namespace, queryId, m.seq(), matches, cause(m), timestamp));
  }

  private static UpdateCause cause(TopKMergeCore.Merged m) {
    return switch (m.cause()) {
      case ONCE -> UpdateCause.once();
      case REGISTERED -> UpdateCause.registered();
      case CANCELLED -> UpdateCause.cancelled();
      case ITEM_UPSERTED -> UpdateCause.itemUpserted(m.itemId());
      case ITEM_DELETED -> UpdateCause.itemDeleted(m.itemId());
    };
  }
}
