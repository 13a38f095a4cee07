package io.simjoin.operators;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.join.FlinkShardState;
import io.simjoin.operators.join.JoinOutput;
import io.simjoin.operators.join.JoinOutput.Cause;
import io.simjoin.operators.join.PartialTopK;
import io.simjoin.operators.join.ShardJoinCore;
import io.simjoin.operators.join.ShardState;
import io.simjoin.operators.join.StandingQuery;
import io.simjoin.operators.join.WriteBackShardState;
import io.simjoin.operators.validation.EventValidator;
import io.simjoin.state.CoverTree;
import io.simjoin.state.Match;
import io.simjoin.state.NodeStore;
import io.simjoin.state.TreeMeta;
import io.simjoin.state.flink.MapStateNodeStore;
import io.simjoin.state.kernel.DotKernels;
import io.simjoin.state.kernel.KernelWarmUp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
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
    implements CheckpointedFunction, CoalescingTrigger.Holder<PartialTopK> {
  private static final long serialVersionUID = 1L;

  /** Threshold alerts and their retractions. */
  public static final OutputTag<ThresholdMatch> ALERTS =
      new OutputTag<>("simjoin-alerts", io.simjoin.operators.events.EventTypeInfo.THRESHOLD_MATCH);

  /** Events the join refused, with the reason. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>(
          "simjoin-dead-letters", io.simjoin.operators.events.EventTypeInfo.DEAD_LETTER);

  /** The name of the item tree's states (see {@link MapStateNodeStore#create}). */
  public static final String ITEM_TREE = "items";

  /** The name of the standing-query tree's states. */
  public static final String QUERY_TREE = "queries";

  /** Pending partials that make a coalescing ShardJoin flush before its interval is over. */
  static final int MAX_PENDING = 1 << 16;

  /** New items a coalescing ShardJoin subtask holds before it applies them at once. */
  static final int MAX_BATCHED = 1 << 12;

  /** Standing queries a coalescing ShardJoin subtask keeps decoded, over all its shards. */
  static final int KEPT_QUERIES = 1 << 18;

  private final EventValidator validator;
  private final int bucketCapacity;
  private final int keptNodes;
  private final long coalesceMillis;
  private transient MapStateNodeStore itemStore;
  private transient MapStateNodeStore queryStore;
  private transient FlinkShardState shardState;
  // What the join reads and writes: shardState itself, or a write-back buffer in front of it when
  // coalescing (flushed with the pending partials, so never across a barrier).
  private transient ShardState state;
  private transient WriteBackShardState writeBack;
  private transient String currentKey;
  private transient JoinMetrics metrics;
  // Coalescing: per key (shard), the standing queries whose partial changed since the last flush,
  // with the last change's cause. Only ever non-empty between two events' flushes, never across a
  // checkpoint barrier (see ShardJoinOperator).
  private transient Map<String, Map<String, Pending>> pending;
  private transient int pendingCount;
  // Coalescing: per key, new items not applied yet, and how many over all keys
  private transient Map<String, Batch> batches;
  private transient int batchedCount;
  // Where alerts of batches applied outside an event go: the operator's side output
  private transient Consumer<ThresholdMatch> operatorAlerts;
  // The open accesses to the two trees and their key. Per event, unless ShardJoinOperator lets them
  // span the events of one key (see spanAccessesOverEvents).
  private transient boolean accessesSpanEvents;
  private transient String accessKey;
  private transient MapStateNodeStore.Access itemAccess;
  private transient MapStateNodeStore.Access queryAccess;

  /** The last change of a standing query's partial that is waiting to go out. */
  private record Pending(String namespace, int shard, Cause cause, String itemId, long timestamp) {}

  /**
   * @param keptNodes decoded tree nodes kept across records per tree and subtask (see {@link
   *     MapStateNodeStore#open(Object)}), so busy trees are not decoded from RocksDB for every
   *     event
   */
  public ShardJoin(EventValidator validator, int bucketCapacity, int keptNodes) {
    this(validator, bucketCapacity, keptNodes, 0);
  }

  /**
   * @param coalesceMillis 0 to emit a standing query's partial at every change; otherwise item
   *     changes of a query's partial are coalesced and the partial (as it is then) goes out at most
   *     once per this many milliseconds, before every checkpoint barrier and at the end of the
   *     input. Needs {@link ShardJoinOperator}, which does the flushing.
   */
  public ShardJoin(
      EventValidator validator, int bucketCapacity, int keptNodes, long coalesceMillis) {
    if (coalesceMillis < 0) {
      throw new IllegalArgumentException("coalesceMillis must be 0 or more, got " + coalesceMillis);
    }
    this.validator = validator;
    this.bucketCapacity = bucketCapacity;
    this.keptNodes = keptNodes;
    this.coalesceMillis = coalesceMillis;
  }

  /** The coalescing interval in milliseconds; 0 when every change goes out at once. */
  @Override
  public long coalesceMillis() {
    return coalesceMillis;
  }

  /**
   * Keeps the trees' accesses open across the events of one key, called by {@link
   * ShardJoinOperator} before {@code open}: a bucket changed by many events (every insert changes
   * one, every lowered bar one of the query tree) is then written to state once, not once per
   * event. The operator closes them with {@link #closeAccesses()} before the keyed state moves to
   * another key, before every checkpoint barrier and at the end of the input, so state is complete
   * whenever anything reads it but this function.
   */
  void spanAccessesOverEvents() {
    accessesSpanEvents = true;
  }

  /** The key whose tree accesses are open, or null. */
  String accessKey() {
    return accessKey;
  }

  /**
   * Writes every change held by the open tree accesses to the keyed state and closes them; the
   * keyed state must still be at {@link #accessKey()}. Does nothing when none are open.
   */
  void closeAccesses() {
    if (accessKey == null) {
      return;
    }
    try {
      itemAccess.close();
    } finally {
      queryAccess.close();
      itemAccess = null;
      queryAccess = null;
      accessKey = null;
    }
  }

  private void openAccesses(String key) {
    if (accessKey != null) {
      if (accessKey.equals(key)) {
        return;
      }
      throw new IllegalStateException(
          "the tree accesses of shard "
              + accessKey
              + " are still open at an event of "
              + key
              + ": ShardJoinOperator closes them when the key changes");
    }
    itemAccess = itemStore.open(key);
    try {
      queryAccess = queryStore.open(key);
    } catch (RuntimeException e) {
      itemAccess.close();
      throw e;
    }
    accessKey = key;
  }

  /** Closes the accesses an event opened, unless they span events. */
  private void endEvent() {
    if (!accessesSpanEvents) {
      closeAccesses();
    }
  }

  @Override
  public void open(OpenContext openContext) {
    // Before records flow: the first batches of a young index are the heaviest screening of the
    // job, and until the JIT compiles the vector kernel they run its Java fallback.
    KernelWarmUp.warmUp(DotKernels.best());
    // Accesses that span events hold as many nodes as are kept decoded: what is not written when
    // the cache overflows then stays in memory until the key changes or a barrier comes.
    int cacheCapacity =
        accessesSpanEvents
            ? Math.max(MapStateNodeStore.DEFAULT_CACHE_CAPACITY, keptNodes)
            : MapStateNodeStore.DEFAULT_CACHE_CAPACITY;
    itemStore = MapStateNodeStore.create(getRuntimeContext(), ITEM_TREE, cacheCapacity, keptNodes);
    queryStore =
        MapStateNodeStore.create(getRuntimeContext(), QUERY_TREE, cacheCapacity, keptNodes);
    shardState = new FlinkShardState(getRuntimeContext());
    if (coalesceMillis > 0) {
      writeBack = new WriteBackShardState(shardState, () -> currentKey, KEPT_QUERIES);
      state = writeBack;
    } else {
      state = shardState;
    }
    metrics = new JoinMetrics(getRuntimeContext().getMetricGroup());
    pending = new LinkedHashMap<>();
    pendingCount = 0;
    batches = new LinkedHashMap<>();
    batchedCount = 0;
  }

  /**
   * Where alerts go when held items are applied outside an event (at a timer or a barrier); set by
   * {@link ShardJoinOperator}, whose side output it is.
   */
  void alertsTo(Consumer<ThresholdMatch> alerts) {
    this.operatorAlerts = alerts;
  }

  @Override
  public boolean hasPending() {
    return pendingCount > 0 || batchedCount > 0;
  }

  @Override
  public boolean pendingIsFull() {
    return pendingCount >= MAX_PENDING
        || batchedCount >= MAX_BATCHED
        || writeBack != null && (writeBack.size() >= MAX_PENDING || writeBack.isFull());
  }

  /**
   * Emits every pending standing query's partial as it is now, one per query and shard, with the
   * cause of its last change; queries cancelled meanwhile are skipped (their cancel mark went out).
   *
   * @param setKey makes a key current, so the keyed state reads that shard
   * @param persist also write the held standing queries to the keyed state
   */
  @Override
  public void flushPending(Consumer<String> setKey, Collector<PartialTopK> out, boolean persist) {
    Consumer<String> makeCurrent =
        key -> {
          currentKey = key;
          setKey.accept(key);
        };
    for (String key : new ArrayList<>(batches.keySet())) {
      makeCurrent.accept(key);
      openAccesses(key);
      try {
        applyBatch(key, out);
      } finally {
        endEvent();
      }
    }
    for (Map.Entry<String, Map<String, Pending>> shard : pending.entrySet()) {
      makeCurrent.accept(shard.getKey());
      for (Map.Entry<String, Pending> e : shard.getValue().entrySet()) {
        StandingQuery sq = state.query(e.getKey());
        if (sq == null) {
          continue;
        }
        Pending p = e.getValue();
        out.collect(
            PartialTopK.partial(
                p.namespace(),
                e.getKey(),
                p.shard(),
                sq.epoch(),
                sq.k(),
                sq.matches(),
                p.cause(),
                p.itemId(),
                p.timestamp()));
      }
    }
    pending.clear();
    pendingCount = 0;
    if (persist && writeBack != null) {
      writeBack.flush(makeCurrent);
    }
  }

  @Override
  public void processElement1(ItemEvent item, Context ctx, Collector<PartialTopK> out)
      throws Exception {
    currentKey = ctx.getCurrentKey();
    metrics.itemIn(item.op());
    openAccesses(currentKey);
    try {
      Batch batch = batches.get(currentKey);
      if (batch != null && item.op() == ItemEvent.Op.DELETE) {
        // the item may be one of them
        applyBatch(currentKey, out);
        batch = null;
      }
      int dim = dimension();
      if (dim == 0 && batch != null) {
        dim = batch.dimension();
      }
      boolean exists = item.op() == ItemEvent.Op.DELETE && itemStore.locate(item.id()) >= 0;
      Optional<DeadLetter> bad =
          validator.checkItem(item, dim == 0 ? EventValidator.NO_DIMENSION : dim, exists);
      if (bad.isPresent()) {
        deadLetter(ctx, bad.get());
        return;
      }
      if (coalesceMillis > 0 && item.op() == ItemEvent.Op.UPSERT) {
        if (itemStore.locate(item.id()) < 0
            && (batch == null || !batch.timestamps.containsKey(item.id()))) {
          if (batch == null) {
            batch = new Batch(item.namespace(), shardOf(ctx));
            batches.put(currentKey, batch);
          }
          batch.ids.add(item.id());
          batch.vectors.add(item.vector());
          batch.timestamps.put(item.id(), item.timestamp());
          batchedCount++;
          return;
        }
        if (batch != null) {
          applyBatch(currentKey, out); // a changed item: the ones before it go first
        }
      }
      ShardJoinCore core = core(dim == 0 ? item.dimension() : dim);
      Output o = new Output(item.namespace(), shardOf(ctx), item.timestamp(), out, ctx);
      if (item.op() == ItemEvent.Op.UPSERT) {
        core.upsertItem(item.id(), item.vector(), o);
      } else {
        core.deleteItem(item.id(), o);
      }
      metrics.searched(core.items().counters(), core.queries().counters());
      metrics.shardItems(currentKey, itemCount());
    } finally {
      endEvent();
    }
  }

  @Override
  public void processElement2(
      Tuple2<Integer, QueryEvent> tagged, Context ctx, Collector<PartialTopK> out)
      throws Exception {
    currentKey = ctx.getCurrentKey();
    int shard = tagged.f0;
    QueryEvent q = tagged.f1;
    if (shard == 0) {
      metrics.queryIn(q.op());
    }
    openAccesses(currentKey);
    try {
      if (batches.containsKey(currentKey)) {
        applyBatch(currentKey, out); // the query sees every item that came before it
      }
      int dim = dimension();
      boolean registered = state.query(q.id()) != null;
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
      recordSizes();
    } finally {
      endEvent();
    }
  }

  /**
   * Applies the held new items of the current key, whose tree accesses are open, at once (see
   * {@link ShardJoinCore#upsertNewItems}); their partials, all item-caused, join the pending ones.
   */
  private void applyBatch(String key, Collector<PartialTopK> out) {
    Batch batch = batches.remove(key);
    if (batch == null) {
      return;
    }
    batchedCount -= batch.ids.size();
    int dim = dimension();
    ShardJoinCore core = core(dim == 0 ? batch.dimension() : dim);
    Output o =
        new Output(batch.namespace, batch.shard, key, batch.timestamps::get, out, operatorAlerts);
    core.upsertNewItems(batch.ids, batch.vectors, o);
    metrics.searched(core.items().counters(), core.queries().counters());
    metrics.shardItems(key, itemCount());
  }

  /**
   * Updates the size gauges with the current shard's, after a query event; needs the item store's
   * access open. Item events update only the item count: the query count is a state read.
   */
  private void recordSizes() {
    metrics.shardSizes(currentKey, itemCount(), shardState.queryCount());
  }

  /** The current shard's item count; needs the item store's access open. */
  private long itemCount() {
    TreeMeta m = itemStore.meta();
    return m == null ? 0 : m.size();
  }

  /**
   * Counts a shard this subtask holds into the size gauges: a restored subtask calls it for every
   * key it restored (see {@link ShardJoinOperator}), the key being current.
   */
  void countShard(String key) {
    currentKey = key;
    try (MapStateNodeStore.Access a = itemStore.open(key)) {
      recordSizes();
    }
  }

  /** What the size gauges show: items held, over this subtask's shards. */
  long itemsHeld() {
    return metrics.items();
  }

  /** What the size gauges show: standing queries held, once per shard. */
  long standingQueriesHeld() {
    return metrics.standingQueries();
  }

  /**
   * Drops the decoded nodes kept across records: with the heap state backend they may be the very
   * objects this snapshot holds, which later records must not mutate.
   */
  @Override
  public void snapshotState(FunctionSnapshotContext context) {
    if (accessKey != null) {
      throw new IllegalStateException(
          "ShardJoin has tree changes of shard "
              + accessKey
              + " in memory at a snapshot: run it in a ShardJoinOperator, which writes them"
              + " before every checkpoint barrier");
    }
    if (hasPending() || writeBack != null && writeBack.size() > 0) {
      // ShardJoinOperator flushes before every barrier; state snapshotted now would lose them
      throw new IllegalStateException(
          "ShardJoin has coalesced changes at a snapshot: run it in a ShardJoinOperator, which"
              + " flushes them before every checkpoint barrier");
    }
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
    return new ShardJoinCore(tree(dim, itemStore, false), tree(dim, queryStore, true), state);
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
    private final String key;
    // the time of the event that caused a change: the event's, or per item of a batch
    private final ToLongFunction<String> timestampOf;
    private final Collector<PartialTopK> out;
    private final Consumer<ThresholdMatch> alerts;
    // this shard's pending changes, looked up at the first
    private Map<String, Pending> shardPending;

    Output(
        String namespace,
        int shard,
        String key,
        ToLongFunction<String> timestampOf,
        Collector<PartialTopK> out,
        Consumer<ThresholdMatch> alerts) {
      this.namespace = namespace;
      this.shard = shard;
      this.key = key;
      this.timestampOf = timestampOf;
      this.out = out;
      this.alerts = alerts;
    }

    /** The output of one event with this timestamp. */
    Output(String namespace, int shard, long timestamp, Collector<PartialTopK> out, Context ctx) {
      this(
          namespace,
          shard,
          ctx.getCurrentKey(),
          itemId -> timestamp,
          out,
          match -> ctx.output(ALERTS, match));
    }

    @Override
    public void changed(String queryId, StandingQuery query, Cause cause, String itemId) {
      if (coalesceMillis > 0 && (cause == Cause.ITEM_UPSERTED || cause == Cause.ITEM_DELETED)) {
        if (shardPending == null) {
          shardPending = pending.computeIfAbsent(key, k -> new LinkedHashMap<>());
        }
        Pending p = new Pending(namespace, shard, cause, itemId, timestampOf.applyAsLong(itemId));
        if (shardPending.put(queryId, p) == null) {
          pendingCount++;
        }
        return;
      }
      JoinOutput.super.changed(queryId, query, cause, itemId);
    }

    @Override
    public void partial(
        String queryId, long epoch, int k, List<Match> matches, Cause cause, String itemId) {
      out.collect(
          PartialTopK.partial(
              namespace,
              queryId,
              shard,
              epoch,
              k,
              matches,
              cause,
              itemId,
              timestampOf.applyAsLong(itemId)));
    }

    @Override
    public void alert(String queryId, String itemId, float score, boolean retraction) {
      metrics.alert();
      long timestamp = timestampOf.applyAsLong(itemId);
      alerts.accept(
          retraction
              ? ThresholdMatch.retraction(namespace, queryId, itemId, score, timestamp)
              : ThresholdMatch.match(namespace, queryId, itemId, score, timestamp));
    }
  }

  /**
   * New items of one shard held until they are applied together (see {@link
   * ShardJoinCore#upsertNewItems}): kept only in memory, so always applied before a barrier.
   */
  private static final class Batch {
    final String namespace;
    final int shard;
    final List<String> ids = new ArrayList<>();
    final List<float[]> vectors = new ArrayList<>();
    final Map<String, Long> timestamps = new HashMap<>();

    Batch(String namespace, int shard) {
      this.namespace = namespace;
      this.shard = shard;
    }

    int dimension() {
      return vectors.get(0).length;
    }
  }
}
