package io.simjoin.operators.join;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link ShardState} that keeps standing queries in memory across events and holds changed ones
 * until {@link #flush}, in front of the keyed state that stays the source of truth. Reads are
 * served from memory once a query was read or written; {@link #updateQuery} — a partial top-k that
 * changed, the only write on the hot path — is held; registrations and removals go through at once.
 * Keeping values across events is safe because the operator is the only writer of its keyed state
 * and a restore builds a fresh operator; values are immutable, so sharing them with a heap backend
 * is too.
 *
 * <p>Why: while an index is young every item enters every standing query's top-k, and each entry
 * was a state read, a decode, an encode and a state write (RocksDB) of the query. When the join
 * coalesces updates it sends a changed query's partial once per interval anyway, so the state can
 * be written then too: one write per query and interval instead of one per item. The owner must
 * flush before every checkpoint barrier, or the checkpoint would miss the buffered changes.
 *
 * <pre>{@code
 * WriteBackShardState state = new WriteBackShardState(new FlinkShardState(ctx), ctx::getCurrentKey);
 * ShardJoinCore join = new ShardJoinCore(itemTree, queryTree, state);
 * ...
 * state.flush(key -> setCurrentKey(key)); // writes each key's changes through
 * }</pre>
 */
public final class WriteBackShardState implements ShardState {
  private final ShardState backing;
  private final Supplier<String> currentKey;
  private final int capacity;
  // per key: every query known in memory (clean or changed), and the ids of the changed ones,
  // whose values are those known
  private final Map<String, Map<String, StandingQuery>> known = new HashMap<>();
  private final Map<String, Set<String>> changed = new HashMap<>();
  private int knownSize;
  private int size;
  // the maps of the key used last: consecutive calls are mostly for one key
  private String lastKey;
  private Map<String, StandingQuery> lastKnown;
  private Set<String> lastChanged;

  /**
   * @param backing the keyed state, which reads and writes under the current key
   * @param currentKey the key the backing state is at now
   * @param capacity queries kept in memory over all keys; beyond it the unchanged ones are dropped
   */
  public WriteBackShardState(ShardState backing, Supplier<String> currentKey, int capacity) {
    this.backing = backing;
    this.currentKey = currentKey;
    this.capacity = capacity;
  }

  @Override
  public StandingQuery query(String queryId) {
    Map<String, StandingQuery> m = knownHere();
    StandingQuery q = m.get(queryId);
    if (q == null) {
      q = backing.query(queryId);
      if (q != null) {
        keep(m, queryId, q);
      }
    }
    return q;
  }

  @Override
  public void putQuery(String queryId, StandingQuery query) {
    drop(queryId);
    backing.putQuery(queryId, query);
    keep(knownHere(), queryId, query);
  }

  @Override
  public void updateQuery(String queryId, StandingQuery query) {
    keep(knownHere(), queryId, query);
    if (lastChanged.add(queryId)) {
      size++;
    }
  }

  /** The known queries of the current key; also makes {@link #lastChanged} that key's. */
  private Map<String, StandingQuery> knownHere() {
    String key = currentKey.get();
    if (!key.equals(lastKey)) {
      lastKnown = known.computeIfAbsent(key, k -> new HashMap<>());
      lastChanged = changed.computeIfAbsent(key, k -> new HashSet<>());
      lastKey = key;
    }
    return lastKnown;
  }

  @Override
  public void removeQuery(String queryId) {
    drop(queryId);
    backing.removeQuery(queryId);
  }

  private void keep(Map<String, StandingQuery> m, String queryId, StandingQuery q) {
    if (m.put(queryId, q) == null) {
      knownSize++;
    }
  }

  /** Whether memory holds more than the capacity: time to {@link #flush}. */
  public boolean isFull() {
    return knownSize >= capacity;
  }

  @Override
  public long queryCount() {
    return backing.queryCount();
  }

  /** Changed queries held in memory, over all keys. */
  public int size() {
    return size;
  }

  /**
   * Writes every held change through: for each key, {@code makeCurrent} is called with the key
   * first, so the backing state writes under it. When memory is over its capacity, it also forgets
   * what it kept.
   */
  public void flush(Consumer<String> makeCurrent) {
    for (Map.Entry<String, Set<String>> e : changed.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      makeCurrent.accept(e.getKey());
      Map<String, StandingQuery> values = known.get(e.getKey());
      for (String queryId : e.getValue()) {
        backing.updateQuery(queryId, values.get(queryId));
      }
    }
    changed.clear();
    size = 0;
    if (isFull()) {
      known.clear();
      knownSize = 0;
    }
    lastKey = null;
  }

  private void drop(String queryId) {
    String key = currentKey.get();
    Set<String> c = changed.get(key);
    if (c != null && c.remove(queryId)) {
      size--;
    }
    Map<String, StandingQuery> k = known.get(key);
    if (k != null && k.remove(queryId) != null) {
      knownSize--;
    }
  }
}
