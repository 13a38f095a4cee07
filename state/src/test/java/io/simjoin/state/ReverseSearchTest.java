package io.simjoin.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

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
 * The reverse search over standing queries, against a brute-force check of every query's bar while
 * queries come and go and their bars rise and fall.
 */
class ReverseSearchTest {

  /**
   * Bars only ever raised from -∞ (standing queries registered on an empty index) must lift the
   * minimum bars of every ancestor, or the top of the tree could never be pruned again.
   */
  @org.junit.jupiter.api.Test
  void raisedBarsLetTheSearchPruneAtTheTop() {
    SplittableRandom r = new SplittableRandom(5);
    int d = 8;
    CoverTree t =
        CoverTree.builder(d).store(new HeapNodeStore()).bars(true).bucketCapacity(4).build();
    for (int i = 0; i < 2000; i++) {
      t.insert("q" + i, Data.gauss(r, d), Float.NEGATIVE_INFINITY);
    }
    for (int i = 0; i < 2000; i++) {
      assertThat(t.setBar("q" + i, 1e6f)).isTrue();
    }
    t.checkInvariants();
    t.counters().reset();
    assertThat(t.reverseSearch(Data.gauss(r, d))).isEmpty();
    // the super-root's entry for the root already says no bar can be reached
    assertThat(t.counters().nodesVisited()).isLessThanOrEqualTo(1);
  }

  @ParameterizedTest(name = "seed={0} d={1} bucket={2} fanout={3}")
  @CsvSource({"1, 4, 4, 3", "2, 16, 8, 4", "3, 64, 32, 16", "4, 1, 2, 3"})
  void findsEveryQueryWhoseBarTheItemReaches(long seed, int d, int bucket, int fanout) {
    SplittableRandom r = new SplittableRandom(seed);
    CoverTree t =
        CoverTree.builder(d)
            .store(new HeapNodeStore())
            .bars(true)
            .bucketCapacity(bucket)
            .fanout(fanout)
            .build();
    Oracle o = new Oracle();
    float[][] centres = Data.centres(r, 3, d);
    List<String> live = new ArrayList<>();
    int next = 0;
    for (int step = 0; step < 6000; step++) {
      int op = r.nextInt(100);
      if (op < 40 || live.isEmpty()) {
        String id = "q" + next++;
        float[] v = r.nextInt(4) == 0 ? Data.gauss(r, d) : Data.clustered(r, centres);
        float bar = randomBar(r);
        t.insert(id, v, bar);
        o.put(id, v);
        o.bars.put(id, bar);
        live.add(id);
      } else if (op < 55) {
        String id = live.remove(r.nextInt(live.size()));
        assertThat(t.delete(id)).isTrue();
        o.remove(id);
      } else if (op < 80) {
        // raise or lower a bar, as a standing top-k does when items come and go
        String id = live.get(r.nextInt(live.size()));
        float bar =
            r.nextBoolean()
                ? o.bars.get(id) + (float) r.nextDouble()
                : o.bars.get(id) - (float) r.nextDouble() * 3;
        if (r.nextInt(10) == 0) {
          bar = Float.NEGATIVE_INFINITY;
        }
        assertThat(t.setBar(id, bar)).isTrue();
        assertThat(t.bar(id)).isEqualTo(bar);
        o.bars.put(id, bar);
      } else {
        float[] item = r.nextInt(4) == 0 ? Data.gauss(r, d) : Data.clustered(r, centres);
        check(o, item, t.reverseSearch(item), 0);
        if (step % 7 == 0) {
          double slack = 0.25 * r.nextDouble();
          check(o, item, t.reverseSearch(item, slack), slack);
        }
        if (step % 13 == 0) {
          checkBatch(t, r, centres, d);
        }
      }
      if (step % 500 == 0) {
        t.checkInvariants();
      }
    }
    t.checkInvariants();
  }

  private static float randomBar(SplittableRandom r) {
    int c = r.nextInt(10);
    if (c == 0) {
      return Float.NEGATIVE_INFINITY; // a standing query with fewer than k items: everything enters
    }
    return (float) (r.nextDouble() * 3 - 0.5);
  }

  /**
   * A batch search finds, grouped by point, the pairs the item-by-item search finds, once each,
   * with kernel scores within the stated margins and upper bounds reaching the bars: all of them
   * when points keep everything, else at least each point's {@code keep} best by kernel score;
   * items of the batch repeat and carry their own slacks.
   */
  private static void checkBatch(CoverTree t, SplittableRandom r, float[][] centres, int d) {
    int n = r.nextInt(1, 12);
    List<float[]> items = new ArrayList<>();
    double[] slacks = new double[n];
    for (int j = 0; j < n; j++) {
      items.add(
          j > 0 && r.nextInt(5) == 0
              ? items.get(r.nextInt(j))
              : r.nextInt(4) == 0 ? Data.gauss(r, d) : Data.clustered(r, centres));
      slacks[j] = r.nextInt(3) == 0 ? 0 : 0.25 * r.nextDouble();
    }
    int keep = r.nextBoolean() ? Integer.MAX_VALUE : r.nextInt(1, 4);
    Map<String, List<Integer>> expected = new HashMap<>();
    for (int j = 0; j < n; j++) {
      for (Match m : t.reverseSearch(items.get(j), slacks[j])) {
        expected.computeIfAbsent(m.id(), p -> new ArrayList<>()).add(j);
      }
    }
    Map<String, Set<Integer>> got = new HashMap<>();
    t.reverseSearchAll(
        items,
        slacks,
        pointId -> keep,
        (pointId, idx, scores, margins, count) -> {
          assertThat(got).as("%s reported once", pointId).doesNotContainKey(pointId);
          Set<Integer> hits = new HashSet<>();
          float[] v = t.vector(pointId);
          for (int c = 0; c < count; c++) {
            assertThat(hits.add(idx[c])).isTrue();
            if (c > 0) {
              assertThat(idx[c]).as("%s's hits in batch order", pointId).isGreaterThan(idx[c - 1]);
            }
            float kernelScore = t.kernel().dot(v, 0, items.get(idx[c]), 0, d);
            assertThat((double) Math.abs(kernelScore - scores[c])).isLessThanOrEqualTo(margins[c]);
            assertThat((double) scores[c] + margins[c])
                .as("%s's upper bound for item %d reaches its bar", pointId, idx[c])
                .isGreaterThanOrEqualTo(t.bar(pointId) - slacks[idx[c]]);
          }
          got.put(pointId, hits);
        });
    for (Map.Entry<String, List<Integer>> e : expected.entrySet()) {
      Set<Integer> hits = got.getOrDefault(e.getKey(), Set.of());
      if (keep == Integer.MAX_VALUE) {
        assertThat(hits).containsAll(e.getValue());
      } else {
        // the keep best by kernel score (strictly above the keep-th best's score) must be there
        float[] v = t.vector(e.getKey());
        List<Float> kernelScores = new ArrayList<>();
        for (int j : e.getValue()) {
          kernelScores.add(t.kernel().dot(v, 0, items.get(j), 0, d));
        }
        List<Float> sorted = new ArrayList<>(kernelScores);
        sorted.sort(java.util.Collections.reverseOrder());
        if (sorted.size() >= keep) {
          float kth = sorted.get(keep - 1);
          for (int c = 0; c < e.getValue().size(); c++) {
            if (kernelScores.get(c) > kth + 0.5) { // beyond any slack's reach
              assertThat(hits).contains(e.getValue().get(c));
            }
          }
          assertThat(hits.size())
              .isGreaterThanOrEqualTo(Math.min(keep, new HashSet<>(e.getValue()).size()));
        }
      }
    }
  }

  /** Every point scoring at least its bar minus {@code slack} is found, and no other. */
  private static void check(Oracle o, float[] item, List<Match> got, double slack) {
    Set<String> ids = new HashSet<>();
    for (Match m : got) {
      if (!ids.add(m.id())) {
        fail("duplicate " + m.id());
      }
    }
    for (Map.Entry<String, float[]> e : o.points.entrySet()) {
      double s = Oracle.dot(e.getValue(), item);
      double tol = Oracle.tolerance(Oracle.magnitude(e.getValue(), item), 0);
      double bar = o.bars.get(e.getKey()) - slack;
      boolean in = ids.contains(e.getKey());
      if (s >= bar + tol && !in) {
        fail("query " + e.getKey() + " scores " + s + " >= its bar " + bar + " but was not found");
      }
      if (s < bar - tol && in) {
        fail("query " + e.getKey() + " scores " + s + " < its bar " + bar + " but was returned");
      }
    }
  }
}
