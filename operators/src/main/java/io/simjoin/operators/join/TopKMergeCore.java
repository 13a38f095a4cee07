package io.simjoin.operators.join;

import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges the S shard partials of a query into its global top-k, independent of Flink. The {@code
 * TopKMerge} operator runs it per (namespace, query id) on keyed state; tests run it on the heap.
 *
 * <ul>
 *   <li>Standing query: keeps the latest partial of every shard for the current registration
 *       (epoch); once all S shards have answered, emits the merged top-k whenever it changes, each
 *       time with the next sequence number. Partials of an older epoch, still in flight after a
 *       re-register, are dropped.
 *   <li>One-shot query: emits the merged answer when all S partials are in, then forgets.
 *   <li>Cancel: the first shard's cancel mark emits an empty update (cause CANCELLED) and drops
 *       that epoch's partials still in flight; when all S marks are in, nothing is left.
 * </ul>
 *
 * <p>Since each shard's partial is its own exact top-k, the top-k of their union is the global
 * top-k: merging loses nothing.
 *
 * <pre>{@code
 * TopKMergeCore merge = new TopKMergeCore(8);
 * Merged update = merge.onPartial(store, shard, epoch, k, matches, cause, itemId); // null: nothing new
 * }</pre>
 */
public final class TopKMergeCore {
  private final int shards;

  /** An update to emit: the merged top-k of a query with its sequence number. */
  public record Merged(long seq, List<Match> matches, Cause cause, String itemId) {}

  /** Why a merged update is emitted. */
  public enum Cause {
    ONCE,
    REGISTERED,
    ITEM_UPSERTED,
    ITEM_DELETED,
    CANCELLED;

    static Cause of(JoinOutput.Cause c) {
      return switch (c) {
        case ONCE -> ONCE;
        case REGISTERED -> REGISTERED;
        case ITEM_UPSERTED -> ITEM_UPSERTED;
        case ITEM_DELETED -> ITEM_DELETED;
      };
    }
  }

  public TopKMergeCore(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1, got " + shards);
    }
    this.shards = shards;
  }

  /** A shard's partial for a query; returns the update to emit, or null. */
  public Merged onPartial(
      MergeStore store,
      int shard,
      long epoch,
      int k,
      List<Match> matches,
      JoinOutput.Cause cause,
      String itemId) {
    checkShard(shard);
    if (cause == JoinOutput.Cause.ONCE) {
      MergeStore.Once once = store.once(epoch);
      if (once == null) {
        once = new MergeStore.Once(k, shards);
      }
      if (once.partials[shard] == null) {
        once.received++;
      }
      once.partials[shard] = matches;
      if (once.received < shards) {
        store.putOnce(epoch, once);
        return null;
      }
      store.removeOnce(epoch);
      List<Match> merged = merge(once.partials, once.k);
      if (store.standing() == null) {
        // nothing else of this id is kept: the answer takes the next number but leaves no state
        return new Merged(store.seq() + 1, merged, Cause.ONCE, null);
      }
      return next(store, merged, Cause.ONCE, null);
    }
    MergeStore.Standing st = absorbed(store, shard, epoch, k, matches);
    if (st == null) {
      return null;
    }
    List<Match> merged = mergedIfChanged(st);
    store.putStanding(st);
    return merged == null ? null : next(store, merged, Cause.of(cause), itemId);
  }

  /**
   * Takes a shard's partial for a standing query into the store without merging: what a coalescing
   * merge does for each partial, before one {@link #settle} per query and interval. Returns false
   * when the partial is dropped (an older registration's, or the query was cancelled).
   */
  public boolean absorb(MergeStore store, int shard, long epoch, int k, List<Match> matches) {
    checkShard(shard);
    MergeStore.Standing st = absorbed(store, shard, epoch, k, matches);
    if (st == null) {
      return false;
    }
    store.putStanding(st);
    return true;
  }

  /**
   * Merges the standing query's partials as they are now; returns the update to emit when every
   * shard has answered and the merged top-k differs from the last one emitted, else null.
   */
  public Merged settle(MergeStore store, JoinOutput.Cause cause, String itemId) {
    MergeStore.Standing st = store.standing();
    if (st == null || st.cancelled) {
      return null;
    }
    List<Match> merged = mergedIfChanged(st);
    if (merged == null) {
      return null;
    }
    store.putStanding(st);
    return next(store, merged, Cause.of(cause), itemId);
  }

  /** The standing query with the partial in place, or null when the partial is dropped. */
  private MergeStore.Standing absorbed(
      MergeStore store, int shard, long epoch, int k, List<Match> matches) {
    MergeStore.Standing st = store.standing();
    if (st != null && epoch < st.epoch) {
      return null; // a partial of a replaced registration, still in flight
    }
    if (st == null || epoch > st.epoch) {
      st = new MergeStore.Standing(epoch, k, shards);
    }
    if (st.cancelled) {
      return null;
    }
    st.partials[shard] = matches;
    return st;
  }

  /**
   * The merged top-k, recorded as the last emitted, when every shard has answered and it differs
   * from the last emitted; else null.
   */
  private static List<Match> mergedIfChanged(MergeStore.Standing st) {
    for (List<Match> p : st.partials) {
      if (p == null) {
        return null; // the first answer waits for every shard
      }
    }
    List<Match> merged = merge(st.partials, st.k);
    if (merged.equals(st.lastEmitted)) {
      return null;
    }
    st.lastEmitted = merged;
    return merged;
  }

  /**
   * A shard dropped the registration {@code epoch} of a standing query; returns an update or null.
   */
  public Merged onCancelled(MergeStore store, int shard, long epoch) {
    checkShard(shard);
    MergeStore.Standing st = store.standing();
    if (st != null && epoch < st.epoch) {
      return null;
    }
    if (st == null || epoch > st.epoch) {
      st = new MergeStore.Standing(epoch, 0, shards);
    }
    st.cancelMarks++;
    Merged out = null;
    if (!st.cancelled) {
      st.cancelled = true;
      st.lastEmitted = null;
      java.util.Arrays.fill(st.partials, null);
      out = next(store, List.of(), Cause.CANCELLED, null);
    }
    if (st.cancelMarks >= shards) {
      // every shard has let go: no partial of this epoch can arrive any more
      store.removeStanding();
      store.removeSeq();
    } else {
      store.putStanding(st);
    }
    return out;
  }

  private Merged next(MergeStore store, List<Match> matches, Cause cause, String itemId) {
    long seq = store.seq() + 1;
    store.putSeq(seq);
    return new Merged(seq, matches, cause, itemId);
  }

  private static List<Match> merge(List<Match>[] partials, int k) {
    List<Match> all = new ArrayList<>();
    for (List<Match> p : partials) {
      all.addAll(p);
    }
    all.sort(Match.BEST_FIRST);
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  private void checkShard(int shard) {
    if (shard < 0 || shard >= shards) {
      throw new IllegalArgumentException("shard " + shard + " outside 0.." + (shards - 1));
    }
  }
}
