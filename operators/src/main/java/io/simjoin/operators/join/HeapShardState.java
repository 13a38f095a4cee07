package io.simjoin.operators.join;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link ShardState} on the heap, for tests and for running the join logic without Flink. */
public final class HeapShardState implements ShardState {
  private final Map<String, StandingQuery> queries = new HashMap<>();
  private final Map<String, Set<String>> holders = new HashMap<>();

  @Override
  public StandingQuery query(String queryId) {
    return queries.get(queryId);
  }

  @Override
  public void putQuery(String queryId, StandingQuery query) {
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

  @Override
  public Collection<String> holders(String itemId) {
    Set<String> s = holders.get(itemId);
    return s == null ? List.of() : List.copyOf(s);
  }

  @Override
  public void addHolder(String itemId, String queryId) {
    holders.computeIfAbsent(itemId, x -> new LinkedHashSet<>()).add(queryId);
  }

  @Override
  public void removeHolder(String itemId, String queryId) {
    Set<String> s = holders.get(itemId);
    if (s != null && s.remove(queryId) && s.isEmpty()) {
      holders.remove(itemId);
    }
  }

  /** Number of items held by some query; 0 once everything is deleted or cancelled. */
  public int holderEntries() {
    return holders.size();
  }
}
