package io.simjoin.operators.join;

/**
 * The per-shard state of a {@link ShardJoinCore} besides its two trees: the standing queries with
 * their partial top-k. Which queries hold an item is not stored: the reverse search on the
 * standing-query tree finds them (see {@link ShardJoinCore}). A heap implementation serves tests;
 * the Flink operator keeps the same in keyed {@code MapState}.
 */
public interface ShardState {

  /** The standing query, or {@code null}. */
  StandingQuery query(String queryId);

  /** Adds or replaces a standing query. */
  void putQuery(String queryId, StandingQuery query);

  /**
   * Replaces a standing query this state holds: what {@link #putQuery} does, without finding out
   * whether the query is new (a state read on RocksDB, at every change of a partial top-k).
   */
  void updateQuery(String queryId, StandingQuery query);

  void removeQuery(String queryId);

  /** Number of standing queries in this shard. */
  long queryCount();
}
