package io.simjoin.operators;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.state.TreeCounters;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The metrics of a {@link ShardJoin} subtask, in Flink's registry under the operator's group:
 * events in by kind, alerts out, dead letters by reason, standing queries, and per event the inner
 * products and state reads its searches cost (histograms over the last 1,024 events).
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

  void standing(long count) {
    standingQueries = count;
  }

  /** The work of one event: the trees are built per event, so their counters are that event's. */
  void searched(TreeCounters items, TreeCounters queries) {
    innerProducts.update(items.dots() + queries.dots());
    stateReads.update(items.storeReads() + queries.storeReads());
  }
}
