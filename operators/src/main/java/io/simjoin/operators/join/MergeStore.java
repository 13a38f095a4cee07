package io.simjoin.operators.join;

import io.simjoin.state.Match;
import java.util.List;

/**
 * The state of a {@link TopKMergeCore} for one (namespace, query id): the standing query's shard
 * partials, pending one-shot answers, and the query's last update sequence number. The Flink
 * operator keeps it in keyed state; {@link HeapMergeStore} serves tests.
 */
public interface MergeStore {

  /** What the merge keeps for a standing query's current registration. */
  final class Standing {
    long epoch;
    int k;
    boolean cancelled;
    int cancelMarks;
    List<Match>[] partials;
    List<Match> lastEmitted;

    @SuppressWarnings("unchecked")
    Standing(long epoch, int k, int shards) {
      this.epoch = epoch;
      this.k = k;
      this.partials = new List[shards];
    }

    public long epoch() {
      return epoch;
    }

    public int k() {
      return k;
    }

    public boolean cancelled() {
      return cancelled;
    }

    public int cancelMarks() {
      return cancelMarks;
    }

    /** The shard partials, null where a shard has not answered yet. */
    public List<Match>[] partials() {
      return partials;
    }

    public List<Match> lastEmitted() {
      return lastEmitted;
    }
  }

  /** A one-shot query's answers, until all shards are in. */
  final class Once {
    final int k;
    final List<Match>[] partials;
    int received;

    @SuppressWarnings("unchecked")
    Once(int k, int shards) {
      this.k = k;
      this.partials = new List[shards];
    }

    public int k() {
      return k;
    }

    public List<Match>[] partials() {
      return partials;
    }

    public int received() {
      return received;
    }
  }

  Standing standing();

  void putStanding(Standing standing);

  void removeStanding();

  Once once(long epoch);

  void putOnce(long epoch, Once once);

  void removeOnce(long epoch);

  /** The last sequence number emitted for this query, 0 before the first. */
  long seq();

  void putSeq(long seq);

  /** Forgets the sequence number, once nothing of the query is left. */
  void removeSeq();
}
