package io.simjoin.operators.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.simjoin.operators.JoinOracle;
import io.simjoin.state.CoverTree;
import io.simjoin.state.HeapNodeStore;
import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The join logic of one shard against a brute-force oracle written here: after every event, every
 * standing query's partial (stored and last emitted) is the exact top-k of the items present, and
 * the alerts emitted minus the retractions are exactly the items at or above each threshold.
 */
class ShardJoinCoreTest {
  private static final double REL_TOL = 1e-5;

  /** Records what the join emits. */
  private static final class Recorder implements JoinOutput {
    final Map<String, List<Match>> lastPartial = new HashMap<>();
    final Map<String, Set<String>> liveAlerts = new HashMap<>();
    final List<String> onceAnswers = new ArrayList<>();
    List<Match> lastOnce;

    @Override
    public void partial(
        String queryId, long epoch, int k, List<Match> matches, Cause cause, String itemId) {
      if (cause == Cause.ONCE) {
        lastOnce = matches;
        onceAnswers.add(queryId);
      } else {
        if (cause == Cause.ITEM_UPSERTED) {
          assertThat(matches)
              .as("the cause of %s's change", queryId)
              .anyMatch(m -> m.id().equals(itemId));
        }
        lastPartial.put(queryId, matches);
      }
    }

    @Override
    public void alert(String queryId, String itemId, float score, boolean retraction) {
      Set<String> s = liveAlerts.computeIfAbsent(queryId, q -> new HashSet<>());
      if (retraction) {
        if (!s.remove(itemId)) {
          fail("retraction of " + itemId + " for " + queryId + " that was never alerted");
        }
      } else if (!s.add(itemId)) {
        fail("duplicate alert of " + itemId + " for " + queryId);
      }
    }
  }

  private record Standing(float[] v, int k, float threshold) {}

  @ParameterizedTest(name = "seed={0} d={1}")
  @CsvSource({"1, 4", "2, 16", "3, 3"})
  void everyEmittedPartialAndAlertIsExact(long seed, int d) {
    SplittableRandom r = new SplittableRandom(seed);
    CoverTree items =
        CoverTree.builder(d).store(new HeapNodeStore()).bucketCapacity(8).fanout(4).build();
    CoverTree queries =
        CoverTree.builder(d)
            .store(new HeapNodeStore())
            .bars(true)
            .bucketCapacity(8)
            .fanout(4)
            .build();
    HeapShardState state = new HeapShardState();
    ShardJoinCore join = new ShardJoinCore(items, queries, state);
    Recorder out = new Recorder();
    Map<String, float[]> live = new HashMap<>();
    Map<String, Standing> standing = new HashMap<>();
    int nextItem = 0;
    int nextQuery = 0;
    for (int step = 0; step < 1500; step++) {
      int op = r.nextInt(100);
      if (op < 10) {
        // a batch of new items at once, as a coalescing ShardJoin applies them
        List<String> ids = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int b = r.nextInt(1, 6); b > 0; b--) {
          String id = "i" + nextItem++;
          float[] v = vector(r, d);
          ids.add(id);
          vectors.add(v);
          live.put(id, v);
        }
        join.upsertNewItems(ids, vectors, out);
      } else if (op < 40 || live.isEmpty()) {
        // new items, or a changed vector for an existing one
        String id = live.isEmpty() || r.nextInt(4) > 0 ? "i" + nextItem++ : pick(r, live.keySet());
        float[] v = vector(r, d);
        join.upsertItem(id, v, out);
        live.put(id, v);
      } else if (op < 65) {
        // delete, preferring items someone holds
        String id = pickHeld(r, live.keySet(), out);
        assertThat(join.deleteItem(id, out)).isTrue();
        live.remove(id);
      } else if (op < 78) {
        String qid =
            standing.isEmpty() || r.nextInt(5) > 0 ? "q" + nextQuery++ : pick(r, standing.keySet());
        float[] v = vector(r, d);
        int k = 1 + r.nextInt(6);
        float threshold = r.nextInt(3) == 0 ? (float) (r.nextDouble() * 2) : Float.NaN;
        out.liveAlerts.remove(qid); // a re-register starts its alerts afresh
        join.register(qid, step, v, k, threshold, out);
        standing.put(qid, new Standing(v, k, threshold));
      } else if (op < 85 && !standing.isEmpty()) {
        String qid = pick(r, standing.keySet());
        assertThat(join.cancel(qid)).isTrue();
        standing.remove(qid);
        out.lastPartial.remove(qid);
        out.liveAlerts.remove(qid);
      } else {
        float[] v = vector(r, d);
        int k = 1 + r.nextInt(8);
        join.once("once", step, v, k, Float.NaN, out);
        JoinOracle.assertTopKMatches("once", v, k, out.lastOnce, live);
      }
      for (Map.Entry<String, Standing> e : standing.entrySet()) {
        Standing s = e.getValue();
        JoinOracle.assertTopKMatches(e.getKey(), s.v, s.k, state.query(e.getKey()).matches(), live);
        JoinOracle.assertTopKMatches(e.getKey(), s.v, s.k, out.lastPartial.get(e.getKey()), live);
        if (!Float.isNaN(s.threshold)) {
          assertAlerts(e.getKey(), s, out.liveAlerts.getOrDefault(e.getKey(), Set.of()), live);
        }
      }
    }
    assertThat(join.cancel("no-such-query")).isFalse();
    String held = live.keySet().iterator().next();
    List<float[]> one = List.of(new float[d]);
    assertThatThrownBy(() -> join.upsertNewItems(List.of(held), one, out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(held);
    assertThatThrownBy(
            () -> join.upsertNewItems(List.of("x", "x"), List.of(one.get(0), one.get(0)), out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(join.deleteItem("no-such-item", out)).isFalse();
    // drain: everything deleted and cancelled leaves no state behind
    for (String id : new ArrayList<>(live.keySet())) {
      join.deleteItem(id, out);
    }
    for (String qid : new ArrayList<>(standing.keySet())) {
      join.cancel(qid);
    }
    assertThat(state.queryCount()).isZero();
    assertThat(items.size()).isZero();
    assertThat(queries.size()).isZero();
  }

  private static void assertAlerts(
      String qid, Standing s, Set<String> alerted, Map<String, float[]> live) {
    for (Map.Entry<String, float[]> e : live.entrySet()) {
      double score = JoinOracle.dot(s.v, e.getValue());
      double tol = REL_TOL * JoinOracle.mag(s.v, e.getValue());
      boolean in = alerted.contains(e.getKey());
      if (score >= s.threshold + tol && !in) {
        fail(qid + " missed the alert for " + e.getKey() + " at " + score + " >= " + s.threshold);
      }
      if (score < s.threshold - tol && in) {
        fail(qid + " has a live alert for " + e.getKey() + " at " + score + " < " + s.threshold);
      }
    }
    for (String id : alerted) {
      if (!live.containsKey(id)) {
        fail(qid + " still has an alert for deleted item " + id);
      }
    }
  }

  private static String pick(SplittableRandom r, Set<String> keys) {
    List<String> l = new ArrayList<>(keys);
    l.sort(null);
    return l.get(r.nextInt(l.size()));
  }

  private static String pickHeld(SplittableRandom r, Set<String> keys, Recorder out) {
    List<String> held = new ArrayList<>();
    for (List<Match> p : out.lastPartial.values()) {
      for (Match m : p) {
        if (keys.contains(m.id())) {
          held.add(m.id());
        }
      }
    }
    held.sort(null);
    return !held.isEmpty() && r.nextBoolean() ? held.get(r.nextInt(held.size())) : pick(r, keys);
  }

  private static float[] vector(SplittableRandom r, int d) {
    float[] v = new float[d];
    boolean ints = r.nextInt(4) == 0; // exact ties
    // Lengths over six orders of magnitude: the query tree holds directions, bars divided by
    // lengths, and must still find every query an item enters.
    double scale = ints || r.nextBoolean() ? 1 : Math.pow(10, r.nextInt(-3, 4));
    for (int i = 0; i < d; i++) {
      v[i] = ints ? r.nextInt(-1, 2) : (float) ((r.nextDouble() * 2 - 1) * scale);
    }
    return v;
  }
}
