package io.simjoin.operators.join;

import io.simjoin.state.CoverTree;
import io.simjoin.state.Match;
import io.simjoin.state.TopValues;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The similarity join of one shard of one namespace, independent of Flink: an item tree, a tree of
 * standing queries whose bar is the lowest score that matters to them (their k-th score, or their
 * alert threshold if lower), and a {@link ShardState} with each standing query's partial top-k. The
 * {@code ShardJoin} operator runs one per key, on state-backed stores; tests run it on the heap.
 *
 * <ul>
 *   <li>Item upsert: insert, then one reverse search finds every standing query the item may enter
 *       or alert; only those are touched.
 *   <li>Item delete: only the queries whose partial holds the item are searched again. They are
 *       found, with the threshold retractions, by one reverse search with the deleted vector: a
 *       query holding the item scores it at least its k-th score, which is at least its bar in the
 *       tree, so the search finds every holder, and {@link StandingQuery#holds} keeps exactly them.
 *       An inverted map item → queries would say the same, at the price of rewriting the holder
 *       list of an item at every change of any top-k it is in (hundreds of queries for a popular
 *       item).
 *   <li>ONCE searches and forgets; REGISTER searches, stores and answers at once (re-registering
 *       replaces); CANCEL forgets.
 * </ul>
 *
 * <pre>{@code
 * ShardJoinCore join = new ShardJoinCore(itemTree, queryTree, new HeapShardState());
 * join.register("user-1", registeredAt, userVector, 10, Float.NaN, out);
 * join.upsertItem("item-9", itemVector, out); // emits user-1's new partial if item-9 entered it
 * }</pre>
 *
 * <p>The standing-query tree holds each query's direction {@code q/‖q‖}, with its bar divided by
 * {@code ‖q‖}: whether an item enters a top-k does not depend on the query's length, and without
 * the lengths the tree's balls hold directions only, which bound far tighter than balls of vectors
 * whose lengths vary (on clustered data with log-normal lengths it visits about six times fewer
 * nodes). The search over directions only proposes candidates; the decision uses the score with the
 * query's own vector, kept in its {@link StandingQuery}, so partials hold the same floats an item
 * tree search gives.
 *
 * <p>Every emitted partial is exact for the items this shard holds at that moment.
 */
public final class ShardJoinCore {
  /**
   * Float rounding of one inner product relative to the product of the norms, per dimension, with a
   * wide margin: see {@link #slack}.
   */
  private static final double ROUNDING_PER_DIM = 1e-6;

  private final CoverTree items;
  private final CoverTree queries;
  private final ShardState state;

  /**
   * @param items the shard's item tree
   * @param queries the shard's standing-query tree, built with {@code bars(true)}
   * @param state the shard's standing queries and inverted map
   */
  public ShardJoinCore(CoverTree items, CoverTree queries, ShardState state) {
    this.items = items;
    this.queries = queries;
    this.state = state;
  }

  public CoverTree items() {
    return items;
  }

  public CoverTree queries() {
    return queries;
  }

  /** Inserts or changes an item and emits the partials it changed and the alerts it raised. */
  public void upsertItem(String id, float[] vector, JoinOutput out) {
    Map<String, Change> changed = new LinkedHashMap<>();
    float[] old = items.vector(id);
    if (old != null) {
      if (Arrays.equals(old, vector)) {
        return;
      }
      remove(id, old, changed, out);
    }
    items.insert(id, vector);
    for (Match m : queries.reverseSearch(vector, slack(vector))) {
      String qid = m.id();
      StandingQuery sq = state.query(qid);
      float score = items.kernel().dot(sq.vector(), 0, vector, 0, vector.length);
      if (sq.hasThreshold() && score >= sq.threshold()) {
        out.alert(qid, id, score, false);
      }
      if (sq.admits(score, id)) {
        StandingQuery after = sq.with(id, score);
        replace(qid, sq, after);
        Change before = changed.get(qid);
        changed.put(
            qid, new Change(after, before == null ? JoinOutput.Cause.ITEM_UPSERTED : before.cause));
      } else if (score < sq.bar()) {
        // A false candidate: the tree's bar had fallen behind the query's true bar (raises are
        // applied lazily, see replace). Catch it up now that it cost a look.
        queries.setBar(qid, directionBar(sq.bar(), sq.vector()));
      }
    }
    emit(changed, id, out);
  }

  /**
   * Inserts a batch of new items and applies them to the standing queries together: the result is
   * that of {@link #upsertItem} item by item, but each query's partial changes (and is emitted) at
   * most once per batch, with the last item of the batch it holds as cause. While the index is
   * young every item enters nearly every top-k, and item by item that is one update per item and
   * query; batched it is one per query. A query's candidates are decided together: the k-th largest
   * lower bound of their scores (with its partial's) is a lower bound of its new bar, so only the
   * candidates whose upper bound reaches it take an exact product. Threshold alerts go out per item
   * and query, grouped by query.
   *
   * @param ids the items' ids: distinct, and none held by the shard
   * @param vectors their vectors, as {@link #upsertItem} takes them
   * @throws IllegalArgumentException if an id repeats or is already held; nothing is changed then
   */
  public void upsertNewItems(List<String> ids, List<float[]> vectors, JoinOutput out) {
    int n = ids.size();
    if (vectors.size() != n) {
      throw new IllegalArgumentException(n + " ids but " + vectors.size() + " vectors");
    }
    Map<String, Integer> index = new HashMap<>(2 * n);
    for (int j = 0; j < n; j++) {
      String id = ids.get(j);
      if (index.put(id, j) != null || items.contains(id)) {
        throw new IllegalArgumentException(
            "item '" + id + "' repeats or is already held: a batch takes new items only");
      }
    }
    double[] slacks = new double[n];
    for (int j = 0; j < n; j++) {
      items.insert(ids.get(j), vectors.get(j));
      slacks[j] = slack(vectors.get(j));
    }
    Map<String, Float> raises = new LinkedHashMap<>();
    Map<String, Change> changed = new LinkedHashMap<>();
    queries.reverseSearchAll(
        vectors,
        slacks,
        // a top-k query needs only the batch's k best; one with a threshold every item above it
        qid -> {
          StandingQuery sq = state.query(qid);
          return sq.hasThreshold() ? Integer.MAX_VALUE : sq.k();
        },
        (qid, idx, scores, margins, count) -> {
          StandingQuery sq = state.query(qid);
          double qNorm = norm(sq.vector());
          double needed = lowerBoundOfNewBar(sq, qNorm, idx, scores, margins, slacks, count);
          if (sq.hasThreshold()) {
            needed = Math.min(needed, sq.threshold());
          }
          StandingQuery after = sq;
          boolean turnedAway = false;
          for (int c = 0; c < count; c++) {
            int j = idx[c];
            if (qNorm * (scores[c] + margins[c] + slacks[j]) < needed) {
              turnedAway = true;
              continue;
            }
            float[] v = vectors.get(j);
            float score = items.kernel().dot(sq.vector(), 0, v, 0, v.length);
            if (sq.hasThreshold() && score >= sq.threshold()) {
              out.alert(qid, ids.get(j), score, false);
            }
            if (after.admits(score, ids.get(j))) {
              after = after.with(ids.get(j), score);
            } else {
              turnedAway = true;
            }
          }
          if (after != sq) {
            state.updateQuery(qid, after);
            changed.put(qid, new Change(after, JoinOutput.Cause.ITEM_UPSERTED));
          }
          if (turnedAway) {
            // as upsertItem catches up a false candidate's bar, once for the batch
            raises.put(qid, directionBar(after.bar(), sq.vector()));
          }
        });
    // the tree is not changed while it is searched
    for (Map.Entry<String, Float> r : raises.entrySet()) {
      queries.setBar(r.getKey(), r.getValue());
    }
    for (Map.Entry<String, Change> e : changed.entrySet()) {
      StandingQuery sq = e.getValue().query;
      int last = -1;
      for (String id : sq.ids()) {
        Integer j = index.get(id);
        if (j != null) {
          last = Math.max(last, j);
        }
      }
      out.changed(e.getKey(), sq, e.getValue().cause, ids.get(last));
    }
  }

  /**
   * A lower bound of a query's k-th score once the candidates are in: the k-th largest of its
   * partial's scores and of the candidates' lower bounds ({@code -∞} while fewer than k). A
   * candidate whose upper bound stays below it cannot enter.
   */
  private static double lowerBoundOfNewBar(
      StandingQuery sq,
      double qNorm,
      int[] idx,
      float[] scores,
      float[] margins,
      double[] slacks,
      int count) {
    int k = sq.k();
    if (sq.scores().length + count < k) {
      return Double.NEGATIVE_INFINITY;
    }
    // the k largest so far, descending
    double[] top = new double[k];
    Arrays.fill(top, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < sq.scores().length; i++) {
      top[i] = sq.scores()[i];
    }
    for (int c = 0; c < count; c++) {
      TopValues.offer(top, qNorm * (scores[c] - margins[c] - slacks[idx[c]]));
    }
    return top[k - 1];
  }

  /**
   * Deletes an item; returns false (and does nothing) when the shard does not hold it, so the
   * caller can dead-letter the event.
   */
  public boolean deleteItem(String id, JoinOutput out) {
    float[] old = items.vector(id);
    if (old == null) {
      return false;
    }
    Map<String, Change> changed = new LinkedHashMap<>();
    remove(id, old, changed, out);
    emit(changed, id, out);
    return true;
  }

  private void remove(String id, float[] old, Map<String, Change> changed, JoinOutput out) {
    // One reverse search finds the queries holding the item (a holder scores it at least its k-th
    // score, which is at least its bar in the tree) and those whose threshold it reached (a bar is
    // never above a threshold): the first are searched again, the second get a retraction.
    Map<String, StandingQuery> holders = new LinkedHashMap<>();
    for (Match m : queries.reverseSearch(old, slack(old))) {
      StandingQuery sq = state.query(m.id());
      if (sq.hasThreshold()) {
        float score = items.kernel().dot(sq.vector(), 0, old, 0, old.length);
        if (score >= sq.threshold()) {
          out.alert(m.id(), id, score, true);
        }
      }
      if (sq.holds(id)) {
        holders.put(m.id(), sq);
      }
    }
    items.delete(id);
    for (Map.Entry<String, StandingQuery> h : holders.entrySet()) {
      StandingQuery sq = h.getValue();
      StandingQuery after = sq.withMatches(items.topK(sq.vector(), sq.k()));
      replace(h.getKey(), sq, after);
      changed.put(h.getKey(), new Change(after, JoinOutput.Cause.ITEM_DELETED));
    }
  }

  /** Answers a one-shot query from the current items; keeps nothing. */
  public void once(
      String queryId, long epoch, float[] vector, int k, float threshold, JoinOutput out) {
    out.partial(queryId, epoch, k, items.topK(vector, k), JoinOutput.Cause.ONCE, null);
    alertExisting(queryId, vector, threshold, out);
  }

  /** Registers (or replaces) a standing query and answers it at once. */
  public void register(
      String queryId, long epoch, float[] vector, int k, float threshold, JoinOutput out) {
    cancel(queryId);
    StandingQuery sq = StandingQuery.of(epoch, vector, k, threshold, items.topK(vector, k));
    state.putQuery(queryId, sq);
    queries.insert(queryId, direction(vector), directionBar(sq.bar(), vector));
    out.partial(queryId, epoch, k, sq.matches(), JoinOutput.Cause.REGISTERED, null);
    alertExisting(queryId, vector, threshold, out);
  }

  /** The registration epoch of a standing query, or {@code Long.MIN_VALUE} when there is none. */
  public long epochOf(String queryId) {
    StandingQuery sq = state.query(queryId);
    return sq == null ? Long.MIN_VALUE : sq.epoch();
  }

  /** Removes a standing query; returns false when this shard does not hold it. */
  public boolean cancel(String queryId) {
    StandingQuery sq = state.query(queryId);
    if (sq == null) {
      return false;
    }
    queries.delete(queryId);
    state.removeQuery(queryId);
    return true;
  }

  private void alertExisting(String queryId, float[] vector, float threshold, JoinOutput out) {
    if (!Float.isNaN(threshold)) {
      for (Match m : items.atLeast(vector, threshold)) {
        out.alert(queryId, m.id(), m.score(), false);
      }
    }
  }

  /**
   * Stores a query's new partial. The query's bar in the tree must never exceed its true bar (the
   * reverse search would miss items), so a lower bar is written at once; a higher one is not:
   * raising rewrites the query's bucket on every item that enters a top-k, while a bar left lower
   * than needed only lets a few extra candidates through, which {@link StandingQuery#admits} turns
   * away and {@link #upsertItem} then catches up.
   */
  private void replace(String qid, StandingQuery before, StandingQuery after) {
    state.updateQuery(qid, after);
    if (after.bar() < before.bar()) {
      queries.setBar(qid, directionBar(after.bar(), after.vector()));
    }
  }

  /** The query's direction in the standing-query tree: {@code q/‖q‖}, or q itself when zero. */
  static float[] direction(float[] q) {
    double norm = norm(q);
    if (norm == 0) {
      return q.clone();
    }
    float[] u = new float[q.length];
    for (int i = 0; i < q.length; i++) {
      u[i] = (float) (q[i] / norm);
    }
    return u;
  }

  /**
   * The bar of a query's direction: {@code bar/‖q‖}, which an item's score with the direction
   * reaches when its score with q reaches {@code bar}, up to rounding (see {@link #slack}). Out of
   * float range it becomes the largest finite float or -∞, both still no higher than the true
   * value.
   */
  static float directionBar(float bar, float[] q) {
    double norm = norm(q);
    if (norm == 0 || Float.isInfinite(bar)) {
      return bar;
    }
    double b = bar / norm;
    if (b > Float.MAX_VALUE) {
      return Float.MAX_VALUE;
    }
    return b < -Float.MAX_VALUE ? Float.NEGATIVE_INFINITY : (float) b;
  }

  /**
   * How far below its direction's bar an item's score with the direction may fall while its score
   * with the query still reaches the query's bar: both scores are float sums of d products, and the
   * direction and the bar are rounded, each off by a few ulps of {@code ‖p‖} (the direction has
   * length 1). The candidates this lets through are decided by the exact score.
   */
  private static double slack(float[] item) {
    return ROUNDING_PER_DIM * (item.length + 4) * norm(item);
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  private static void emit(Map<String, Change> changed, String itemId, JoinOutput out) {
    for (Map.Entry<String, Change> e : changed.entrySet()) {
      out.changed(e.getKey(), e.getValue().query, e.getValue().cause, itemId);
    }
  }

  /** A query's partial as an event left it, and why it first changed in that event. */
  private record Change(StandingQuery query, JoinOutput.Cause cause) {}
}
