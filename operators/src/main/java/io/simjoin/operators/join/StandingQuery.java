package io.simjoin.operators.join;

import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.List;

/**
 * What a shard keeps for one standing query: its vector, k, the optional alert threshold, and the
 * query's current partial top-k over this shard's items, best first. The shard's standing-query
 * tree holds only the query's direction (see {@link ShardJoinCore}); scores are always computed
 * with this vector, so they are the same floats a search of the item tree gives.
 *
 * @param epoch the registration this partial belongs to (the REGISTER's timestamp): the merge drops
 *     partials of an older registration that are still in flight after a re-register
 * @param vector the query vector as registered
 * @param k how many matches the query wants
 * @param threshold the alert threshold, or NaN when the query has none
 * @param ids the partial top-k item ids, best first
 * @param scores their scores
 */
public record StandingQuery(
    long epoch, float[] vector, int k, float threshold, String[] ids, float[] scores) {

  public static StandingQuery of(
      long epoch, float[] vector, int k, float threshold, List<Match> partial) {
    String[] ids = new String[partial.size()];
    float[] scores = new float[partial.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = partial.get(i).id();
      scores[i] = partial.get(i).score();
    }
    return new StandingQuery(epoch, vector, k, threshold, ids, scores);
  }

  public boolean hasThreshold() {
    return !Float.isNaN(threshold);
  }

  public boolean full() {
    return ids.length == k;
  }

  /**
   * The bar of the query in the standing-query tree: the lowest score an arriving item must reach
   * to matter to it, i.e. to enter its top-k or to pass its threshold.
   */
  public float bar() {
    float kth = full() ? scores[k - 1] : Float.NEGATIVE_INFINITY;
    return hasThreshold() ? Math.min(kth, threshold) : kth;
  }

  /** Whether an item with this score and id enters the partial top-k. */
  public boolean admits(float score, String id) {
    return !full() || ranksBefore(score, id, scores[k - 1], ids[k - 1]);
  }

  /** Whether (score a, id a) comes before (score b, id b) in {@link Match#BEST_FIRST} order. */
  private static boolean ranksBefore(float a, String aId, float b, String bId) {
    int c = Float.compare(a, b);
    return c > 0 || c == 0 && aId.compareTo(bId) < 0;
  }

  /**
   * The partial with the item added at its place; the k+1-th, if any, drops out. Call it only when
   * {@link #admits} says so and the item is not in the partial.
   */
  public StandingQuery with(String id, float score) {
    int n = Math.min(ids.length + 1, k);
    // the item's place: after every entry that ranks before it (higher score, or equal and id
    // before), as Match.BEST_FIRST orders them
    int at = 0;
    while (at < ids.length && ranksBefore(scores[at], ids[at], score, id)) {
      at++;
    }
    String[] newIds = new String[n];
    float[] newScores = new float[n];
    System.arraycopy(ids, 0, newIds, 0, at);
    System.arraycopy(scores, 0, newScores, 0, at);
    if (at < n) {
      newIds[at] = id;
      newScores[at] = score;
      System.arraycopy(ids, at, newIds, at + 1, n - at - 1);
      System.arraycopy(scores, at, newScores, at + 1, n - at - 1);
    }
    return new StandingQuery(epoch, vector, k, threshold, newIds, newScores);
  }

  /** The same query with another partial top-k. */
  public StandingQuery withMatches(List<Match> partial) {
    return of(epoch, vector, k, threshold, partial);
  }

  public List<Match> matches() {
    List<Match> list = new ArrayList<>(ids.length + 1);
    for (int i = 0; i < ids.length; i++) {
      list.add(new Match(ids[i], scores[i]));
    }
    return list;
  }

  public boolean holds(String id) {
    for (String s : ids) {
      if (s.equals(id)) {
        return true;
      }
    }
    return false;
  }
}
