package io.simjoin.operators.join;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.StringArraySerializer;

/**
 * {@link ShardState} in Flink keyed state, for the shard (namespace, shard) that is the current
 * key: the standing queries in one {@code MapState}, the inverted map item → holders in another,
 * and the number of standing queries in a {@code ValueState}, so that counting never iterates a map
 * (a prefix seek on RocksDB).
 *
 * <pre>{@code
 * public void open(OpenContext ctx) {
 *   ShardState state = new FlinkShardState(getRuntimeContext());
 *   join = new ShardJoinCore(itemTree, queryTree, state);
 * }
 * }</pre>
 *
 * <p>Entries that become empty are removed, so a shard whose queries are all cancelled and whose
 * items are all deleted leaves nothing behind. The holders of an item are one array, so that a
 * delete finds them with one read; each change rewrites the array, which costs as much as the item
 * has holders (a popular item in many standing queries' top-k is the expensive case).
 */
@PublicEvolving
public final class FlinkShardState implements ShardState {

  /** Query id → {@link StandingQuery}. Rename on an incompatible change of the layout. */
  public static final String QUERIES_STATE = "simjoin-standing-queries";

  /** Item id → ids of the standing queries whose partial top-k holds it, oldest first. */
  public static final String HOLDERS_STATE = "simjoin-holders";

  /** The number of entries in {@link #QUERIES_STATE}; absent when 0. */
  public static final String COUNT_STATE = "simjoin-standing-count";

  private final MapState<String, StandingQuery> queries;
  private final MapState<String, String[]> holders;
  private final ValueState<Long> count;

  /** Opens the states through the operator's runtime context; call it in {@code open()}. */
  public FlinkShardState(RuntimeContext context) {
    this(
        context.getMapState(queriesDescriptor()),
        context.getMapState(holdersDescriptor()),
        context.getState(countDescriptor()));
  }

  /** Opens the states in a keyed state store, e.g. {@code FunctionInitializationContext}'s. */
  public FlinkShardState(KeyedStateStore store) {
    this(
        store.getMapState(queriesDescriptor()),
        store.getMapState(holdersDescriptor()),
        store.getState(countDescriptor()));
  }

  private FlinkShardState(
      MapState<String, StandingQuery> queries,
      MapState<String, String[]> holders,
      ValueState<Long> count) {
    this.queries = queries;
    this.holders = holders;
    this.count = count;
  }

  /** The descriptor of {@link #QUERIES_STATE}, for the State Processor API. */
  public static MapStateDescriptor<String, StandingQuery> queriesDescriptor() {
    return new MapStateDescriptor<>(
        QUERIES_STATE, StringSerializer.INSTANCE, StandingQuerySerializer.INSTANCE);
  }

  /** The descriptor of {@link #HOLDERS_STATE}. */
  public static MapStateDescriptor<String, String[]> holdersDescriptor() {
    return new MapStateDescriptor<>(
        HOLDERS_STATE, StringSerializer.INSTANCE, StringArraySerializer.INSTANCE);
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

  @Override
  public Collection<String> holders(String itemId) {
    String[] held = holdersOf(itemId);
    // List.of copies: the heap backend hands out the stored array itself
    return held == null ? List.of() : List.of(held);
  }

  @Override
  public void addHolder(String itemId, String queryId) {
    String[] held = holdersOf(itemId);
    if (held == null) {
      putHolders(itemId, new String[] {queryId});
      return;
    }
    if (indexOf(held, queryId) >= 0) {
      return;
    }
    // a new array, never the stored one changed in place: the heap backend shares it with
    // snapshots in progress
    String[] more = Arrays.copyOf(held, held.length + 1);
    more[held.length] = queryId;
    putHolders(itemId, more);
  }

  @Override
  public void removeHolder(String itemId, String queryId) {
    String[] held = holdersOf(itemId);
    int i = held == null ? -1 : indexOf(held, queryId);
    if (i < 0) {
      return;
    }
    if (held.length == 1) {
      try {
        holders.remove(itemId);
      } catch (Exception e) {
        throw StateFailures.of(HOLDERS_STATE, e);
      }
      return;
    }
    String[] fewer = new String[held.length - 1];
    System.arraycopy(held, 0, fewer, 0, i);
    System.arraycopy(held, i + 1, fewer, i, fewer.length - i);
    putHolders(itemId, fewer);
  }

  private String[] holdersOf(String itemId) {
    try {
      return holders.get(itemId);
    } catch (Exception e) {
      throw StateFailures.of(HOLDERS_STATE, e);
    }
  }

  private void putHolders(String itemId, String[] held) {
    try {
      holders.put(itemId, held);
    } catch (Exception e) {
      throw StateFailures.of(HOLDERS_STATE, e);
    }
  }

  private static int indexOf(String[] held, String queryId) {
    for (int i = 0; i < held.length; i++) {
      if (held[i].equals(queryId)) {
        return i;
      }
    }
    return -1;
  }
}
