package io.simjoin.operators.join;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;

/**
 * {@link ShardState} in Flink keyed state, for the shard (namespace, shard) that is the current
 * key: the standing queries in one {@code MapState} and their number in a {@code ValueState}, so
 * that counting never iterates a map (a prefix seek on RocksDB).
 *
 * <pre>{@code
 * public void open(OpenContext ctx) {
 *   ShardState state = new FlinkShardState(getRuntimeContext());
 *   join = new ShardJoinCore(itemTree, queryTree, state);
 * }
 * }</pre>
 *
 * <p>Entries that become empty are removed, so a shard whose queries are all cancelled leaves
 * nothing behind.
 */
@PublicEvolving
public final class FlinkShardState implements ShardState {

  /** Query id → {@link StandingQuery}. Rename on an incompatible change of the layout. */
  public static final String QUERIES_STATE = "simjoin-standing-queries";

  /** The number of entries in {@link #QUERIES_STATE}; absent when 0. */
  public static final String COUNT_STATE = "simjoin-standing-count";

  private final MapState<String, StandingQuery> queries;
  private final ValueState<Long> count;

  /** Opens the states through the operator's runtime context; call it in {@code open()}. */
  public FlinkShardState(RuntimeContext context) {
    this(context.getMapState(queriesDescriptor()), context.getState(countDescriptor()));
  }

  /** Opens the states in a keyed state store, e.g. {@code FunctionInitializationContext}'s. */
  public FlinkShardState(KeyedStateStore store) {
    this(store.getMapState(queriesDescriptor()), store.getState(countDescriptor()));
  }

  private FlinkShardState(MapState<String, StandingQuery> queries, ValueState<Long> count) {
    this.queries = queries;
    this.count = count;
  }

  /** The descriptor of {@link #QUERIES_STATE}, for the State Processor API. */
  public static MapStateDescriptor<String, StandingQuery> queriesDescriptor() {
    return new MapStateDescriptor<>(
        QUERIES_STATE, StringSerializer.INSTANCE, StandingQuerySerializer.INSTANCE);
  }

  /** The descriptor of {@link #COUNT_STATE}. */
  public static ValueStateDescriptor<Long> countDescriptor() {
    return new ValueStateDescriptor<>(COUNT_STATE, LongSerializer.INSTANCE);
  }

  @Override
  public StandingQuery query(String queryId) {
    try {
      return queries.get(queryId);
    } catch (Exception e) {
      throw StateFailures.of(QUERIES_STATE, e);
    }
  }

  @Override
  public void putQuery(String queryId, StandingQuery query) {
    try {
      if (!queries.contains(queryId)) {
        setCount(queryCount() + 1);
      }
      queries.put(queryId, query);
    } catch (Exception e) {
      throw StateFailures.of(QUERIES_STATE, e);
    }
  }

  @Override
  public void updateQuery(String queryId, StandingQuery query) {
    try {
      queries.put(queryId, query);
    } catch (Exception e) {
      throw StateFailures.of(QUERIES_STATE, e);
    }
  }

  @Override
  public void removeQuery(String queryId) {
    try {
      if (queries.contains(queryId)) {
        queries.remove(queryId);
        setCount(queryCount() - 1);
      }
    } catch (Exception e) {
      throw StateFailures.of(QUERIES_STATE, e);
    }
  }

  @Override
  public long queryCount() {
    try {
      Long n = count.value();
      return n == null ? 0L : n;
    } catch (Exception e) {
      throw StateFailures.of(COUNT_STATE, e);
    }
  }

  private void setCount(long n) throws Exception {
    if (n == 0) {
      count.clear();
    } else {
      count.update(n);
    }
  }
}
