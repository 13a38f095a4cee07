package io.simjoin.operators;

import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import io.simjoin.operators.join.FlinkMergeStore;
import io.simjoin.operators.join.PartialTopK;
import io.simjoin.operators.join.TopKMergeCore;
import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Merges the partial top-k lists of the S shards of a namespace into each query's global top-k,
 * keyed by {@code (namespace, query id)} (see {@link TopKMergeCore}): a standing query's update is
 * emitted only when its top-k changed, with {@code seq} one higher than the last; a one-shot
 * query's answer once all S shards have answered.
 */
public class TopKMerge extends KeyedProcessFunction<String, PartialTopK, TopKUpdate> {
  private static final long serialVersionUID = 1L;

  private final int shards;
  private transient FlinkMergeStore store;
  private transient TopKMergeCore core;
  private transient Counter updatesOut;

  public TopKMerge(int shards) {
    this.shards = shards;
  }

  @Override
  public void open(OpenContext openContext) {
    store = new FlinkMergeStore(getRuntimeContext());
    core = new TopKMergeCore(shards);
    updatesOut = getRuntimeContext().getMetricGroup().counter("updatesOut");
  }

  @Override
  public void processElement(PartialTopK p, Context ctx, Collector<TopKUpdate> out)
      throws Exception {
    TopKMergeCore.Merged m =
        p.isCancelMark()
            ? core.onCancelled(store, p.shard(), p.epoch())
            : core.onPartial(
                store, p.shard(), p.epoch(), p.k(), p.matches(), p.cause(), p.itemId());
    if (m == null) {
      return;
    }
    List<ScoredItem> matches = new ArrayList<>(m.matches().size());
    for (Match x : m.matches()) {
      matches.add(new ScoredItem(x.id(), x.score()));
    }
    updatesOut.inc();
    out.collect(
        TopKUpdate.of(p.namespace(), p.queryId(), m.seq(), matches, cause(m), p.timestamp()));
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
