package io.simjoin.operators.join;

import java.util.Collection;

/**
 * The per-shard state of a {@link ShardJoinCore} besides its two trees: the standing queries and
 * the inverted map from an item to the standing queries whose partial top-k holds it, which is what
 * lets a delete re-search only those queries. A heap implementation serves tests; the Flink
 * operator keeps the same in keyed {@code MapState}.
 */
public interface ShardState {

  /** The standing query, or {@code null}. */
  StandingQuery query(String queryId);

  void putQuery(String queryId, StandingQuery query);

  void removeQuery(String queryId);

  /** Number of standing queries in this shard. */
  long queryCount();

  /** The standing queries whose partial top-k holds the item (empty when none). */
  Collection<String> holders(String itemId);

  void addHolder(String itemId, String queryId);

  void removeHolder(String itemId, String queryId);
}
