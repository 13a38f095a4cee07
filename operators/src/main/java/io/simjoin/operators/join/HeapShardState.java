package io.simjoin.operators.join;

import java.util.HashMap;
import java.util.Map;

/** {@link ShardState} on the heap, for tests and for running the join logic without Flink. */
public final class HeapShardState implements ShardState {
  private final Map<String, StandingQuery> queries = new HashMap<>();

  @Override
  public StandingQuery query(String queryId) {
    return queries.get(queryId);
  }

  @Override
  public void putQuery(String queryId, StandingQuery query) {
    queries.put(queryId, query);
  }

  @Override
  public void updateQuery(String queryId, StandingQuery query) {
    queries.put(queryId, query);
  }

  @Override
  public void removeQuery(String queryId) {
    queries.remove(queryId);
  }

  @Override
  public long queryCount() {
    return queries.size();
  }
}
