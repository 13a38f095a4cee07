package io.simjoin.operators;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.join.FlinkShardState;
import io.simjoin.operators.join.JoinOutput;
import io.simjoin.operators.join.PartialTopK;
import io.simjoin.operators.join.ShardJoinCore;
import io.simjoin.operators.validation.EventValidator;
import io.simjoin.state.CoverTree;
import io.simjoin.state.Match;
import io.simjoin.state.NodeStore;
import io.simjoin.state.TreeMeta;
import io.simjoin.state.flink.MapStateNodeStore;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The join of one shard of one namespace, keyed by {@code (namespace, shard)}: items of the shard
 * on the first input, every query of the namespace (tagged with this shard's index) on the second.
 * Holds in keyed state an item cover tree, a cover tree of the standing queries with their bars and
 * the standing queries' partial top-k (see {@link ShardJoinCore}, which also explains why no
 * inverted map item → queries is stored); emits partial top-k lists for {@link TopKMerge},
 * threshold alerts and dead letters on side outputs.
 *
 * <p>Query-level dead letters (an unknown CANCEL, a REGISTER over the cap, a dimension mismatch)
 * are decided identically by every shard, since every shard sees every query of its namespace; only
 * shard 0 emits them, so each bad query yields one dead letter.
 */
public class ShardJoin
    extends KeyedCoProcessFunction<String, ItemEvent, Tuple2<Integer, QueryEvent>, PartialTopK>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  /** Threshold alerts and their retractions. */
  public static final OutputTag<ThresholdMatch> ALERTS =
      new OutputTag<>("simjoin-alerts", io.simjoin.operators.events.EventTypeInfo.THRESHOLD_MATCH);

  /** Events the join refused, with the reason. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>(
          "simjoin-dead-letters", io.simjoin.operators.events.EventTypeInfo.DEAD_LETTER);

  private final EventValidator validator;
  private final int bucketCapacity;
  private final int keptNodes;
  private transient MapStateNodeStore itemStore;
  private transient MapStateNodeStore queryStore;
  private transient FlinkShardState shardState;
  private transient JoinMetrics metrics;

  /**
   * @param keptNodes decoded tree nodes kept across records per tree and subtask (see {@link
   *     MapStateNodeStore#open(Object)}), so busy trees are not decoded from RocksDB for every
   *     event
   */
  public ShardJoin(EventValidator validator, int bucketCapacity, int keptNodes) {
    this.validator = validator;
    this.bucketCapacity = bucketCapacity;
    this.keptNodes = keptNodes;
  }

  @Override
  public void open(OpenContext openContext) {
    itemStore =
        MapStateNodeStore.create(
            getRuntimeContext(), "items", MapStateNodeStore.DEFAULT_CACHE_CAPACITY, keptNodes);
    queryStore =
        MapStateNodeStore.create(
            getRuntimeContext(), "queries", MapStateNodeStore.DEFAULT_CACHE_CAPACITY, keptNodes);
    shardState = new FlinkShardState(getRuntimeContext());
    metrics = new JoinMetrics(getRuntimeContext().getMetricGroup());
  }

  @Override
  public void processElement1(ItemEvent item, Context ctx, Collector<PartialTopK> out)
      throws Exception {
    metrics.itemIn(item.op());
    try (MapStateNodeStore.Access a = itemStore.open(ctx.getCurrentKey());
        MapStateNodeStore.Access b = queryStore.open(ctx.getCurrentKey())) {
      int dim = dimension();
      boolean exists = item.op() == ItemEvent.Op.DELETE && itemStore.locate(item.id()) >= 0;
      Optional<DeadLetter> bad =
          validator.checkItem(item, dim == 0 ? EventValidator.NO_DIMENSION : dim, exists);
      if (bad.isPresent()) {
        deadLetter(ctx, bad.get());
        return;
      }
      ShardJoinCore core = core(dim == 0 ? item.dimension() : dim);
      Output o = new Output(item.namespace(), shardOf(ctx), item.timestamp(), out, ctx);
      if (item.op() == ItemEvent.Op.UPSERT) {
        core.upsertItem(item.id(), item.vector(), o);
      } else {
        core.deleteItem(item.id(), o);
      }
      metrics.searched(core.items().counters(), core.queries().counters());
    }
  }

  @Override
  public void processElement2(
      Tuple2<Integer, QueryEvent> tagged, Context ctx, Collector<PartialTopK> out)
      throws Exception {
    int shard = tagged.f0;
    QueryEvent q = tagged.f1;
    if (shard == 0) {
      metrics.queryIn(q.op());
    }
    try (MapStateNodeStore.Access a = itemStore.open(ctx.getCurrentKey());
        MapStateNodeStore.Access b = queryStore.open(ctx.getCurrentKey())) {
      int dim = dimension();
      boolean registered = shardState.query(q.id()) != null;
      Optional<DeadLetter> bad =
          validator.checkQuery(
              q,
              dim == 0 ? EventValidator.NO_DIMENSION : dim,
              registered,
              (int) Math.min(Integer.MAX_VALUE, shardState.queryCount()));
      if (bad.isPresent()) {
        if (shard == 0) {
          deadLetter(ctx, bad.get());
        }
        return;
      }
      ShardJoinCore core = core(dim == 0 ? q.dimension() : dim);
      Output o = new Output(q.namespace(), shard, q.timestamp(), out, ctx);
      float threshold = q.hasThreshold() ? q.threshold() : Float.NaN;
      switch (q.op()) {
        case ONCE -> core.once(q.id(), q.timestamp(), q.vector(), q.k(), threshold, o);
        case REGISTER -> {
          // Epochs must grow per re-registration so the merge can drop the old one's partials;
          // every shard computes the same value from the same sequence of query events.
          long epoch = Math.max(q.timestamp(), core.epochOf(q.id()) + 1);
          core.register(q.id(), epoch, q.vector(), q.k(), threshold, o);
        }
        case CANCEL -> {
          long epoch = core.epochOf(q.id());
          core.cancel(q.id());
          out.collect(PartialTopK.cancelMark(q.namespace(), q.id(), shard, epoch, q.timestamp()));
        }
      }
      metrics.searched(core.items().counters(), core.queries().counters());
      if (shard == 0) {
        metrics.standing(shardState.queryCount());
      }
    }
  }

  /**
   * Drops the decoded nodes kept across records: with the heap state backend they may be the very
   * objects this snapshot holds, which later records must not mutate.
   */
  @Override
  public void snapshotState(FunctionSnapshotContext context) {
    itemStore.forgetKept();
    queryStore.forgetKept();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) {
    // Nothing of its own: all state is keyed, and a restored operator starts with nothing kept.
  }

  /** The dimension this shard has fixed (by its first item or query), or 0. */
  private int dimension() {
    TreeMeta m = itemStore.meta();
    if (m != null) {
      return m.dimension();
    }
    m = queryStore.meta();
    return m == null ? 0 : m.dimension();
  }

  private ShardJoinCore core(int dim) {
    return new ShardJoinCore(tree(dim, itemStore, false), tree(dim, queryStore, true), shardState);
  }

  private CoverTree tree(int dim, NodeStore store, boolean bars) {
    return CoverTree.builder(dim).store(store).bars(bars).bucketCapacity(bucketCapacity).build();
  }

  /** The shard index is the key's last field (see {@link io.simjoin.operators.join.JoinKeys}). */
  private static int shardOf(Context ctx) {
    String key = ctx.getCurrentKey();
    return Integer.parseInt(
        key.substring(key.lastIndexOf(io.simjoin.operators.join.JoinKeys.SEPARATOR) + 1));
  }

  private void deadLetter(Context ctx, DeadLetter d) {
    metrics.deadLetter(d.reason());
    ctx.output(DEAD_LETTERS, d);
  }

  /** Turns what the join computes into records. */
  private final class Output implements JoinOutput {
    private final String namespace;
    private final int shard;
    private final long timestamp;
    private final Collector<PartialTopK> out;
    private final Context ctx;

    Output(String namespace, int shard, long timestamp, Collector<PartialTopK> out, Context ctx) {
      this.namespace = namespace;
      this.shard = shard;
      this.timestamp = timestamp;
      this.out = out;
      this.ctx = ctx;
    }

    @Override
    public void partial(
        String queryId, long epoch, int k, List<Match> matches, Cause cause, String itemId) {
      out.collect(
          PartialTopK.partial(
              namespace, queryId, shard, epoch, k, matches, cause, itemId, timestamp));
    }

    @Override
    public void alert(String queryId, String itemId, float score, boolean retraction) {
      metrics.alert();
      ctx.output(
          ALERTS,
          retraction
              ? ThresholdMatch.retraction(namespace, queryId, itemId, score, timestamp)
              : ThresholdMatch.match(namespace, queryId, itemId, score, timestamp));
    }
  }
}
