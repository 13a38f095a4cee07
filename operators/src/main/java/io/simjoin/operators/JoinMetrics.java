package io.simjoin.operators;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.state.TreeCounters;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The metrics of a {@link ShardJoin} subtask, in Flink's registry under the operator's group:
 * events in by kind, alerts out, dead letters by reason, the items and standing queries the subtask
 * holds (gauges summed over its shards; a standing query counts once per shard, as each shard holds
 * it), and per event the inner products and state reads its searches cost (histograms over the last
 * 1,024 events).
 */
final class JoinMetrics {
  private static final int WINDOW = 1024;

  private final Counter itemUpserts;
  private final Counter itemDeletes;
  private final Map<QueryEvent.Op, Counter> queries = new EnumMap<>(QueryEvent.Op.class);
  private final Counter alerts;
  private final Map<DeadLetter.Reason, Counter> deadLetters =
      new EnumMap<>(DeadLetter.Reason.class);
  private final Histogram innerProducts;
  private final Histogram stateReads;
  // Per shard (key) of this subtask: items and standing queries; the gauges show the sums.
  private final Map<String, long[]> perShard = new HashMap<>();
  // Written by the task thread only, read by reporters.
  private volatile long items;
  private volatile long standingQueries;

  JoinMetrics(MetricGroup group) {
    itemUpserts = group.counter("itemUpserts");
    itemDeletes = group.counter("itemDeletes");
    for (QueryEvent.Op op : QueryEvent.Op.values()) {
      queries.put(op, group.addGroup("op", op.name()).counter("queries"));
    }
    alerts = group.counter("alertsOut");
    for (DeadLetter.Reason r : DeadLetter.Reason.values()) {
      deadLetters.put(r, group.addGroup("reason", r.name()).counter("deadLetters"));
    }
    innerProducts =
        group.histogram("innerProductsPerEvent", new DescriptiveStatisticsHistogram(WINDOW));
    stateReads = group.histogram("stateReadsPerEvent", new DescriptiveStatisticsHistogram(WINDOW));
    group.gauge("items", () -> items);
    group.gauge("standingQueries", () -> standingQueries);
  }

  void itemIn(ItemEvent.Op op) {
    (op == ItemEvent.Op.UPSERT ? itemUpserts : itemDeletes).inc();
  }

  void queryIn(QueryEvent.Op op) {
    queries.get(op).inc();
  }

  void alert() {
    alerts.inc();
  }

  void deadLetter(DeadLetter.Reason reason) {
    deadLetters.get(reason).inc();
  }

  /** A shard's item count after an item event (its standing queries did not change). */
  void shardItems(String key, long itemCount) {
    long[] sizes = sizesOf(key);
    items += itemCount - sizes[0];
    sizes[0] = itemCount;
    dropIfEmpty(key, sizes);
  }

  /** A shard's sizes after a query event, or when a restored subtask counts its shards. */
  void shardSizes(String key, long itemCount, long standingCount) {
    shardItems(key, itemCount);
    long[] sizes = sizesOf(key);
    standingQueries += standingCount - sizes[1];
    sizes[1] = standingCount;
    dropIfEmpty(key, sizes);
  }

  private long[] sizesOf(String key) {
    return perShard.computeIfAbsent(key, k -> new long[2]);
  }

  private void dropIfEmpty(String key, long[] sizes) {
    if (sizes[0] == 0 && sizes[1] == 0) {
      perShard.remove(key);
    }
  }

  long items() {
    return items;
  }

  long standingQueries() {
    return standingQueries;
  }

  /** The work of one event: the trees are built per event, so their counters are that event's. */
  void searched(TreeCounters items, TreeCounters queries) {
    innerProducts.update(items.dots() + items.screenDots() + queries.dots() + queries.screenDots());
    stateReads.update(items.storeReads() + queries.storeReads());
  }
}
