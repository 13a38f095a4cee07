package io.simjoin.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The independent reference: a brute-force scan in double precision over a plain map, written
 * without any of the tree's code. Results agree "up to float rounding": two scores count as equal
 * when they differ by less than 1e-5 of the magnitude of the products that form them.
 */
final class Oracle {
  static final double REL_TOL = 1e-5;

  final Map<String, float[]> points = new LinkedHashMap<>();
  final Map<String, Float> bars = new LinkedHashMap<>();

  record Hit(String id, double score, double magnitude) {}

  void put(String id, float[] v) {
    points.put(id, v.clone());
  }

  void remove(String id) {
    points.remove(id);
    bars.remove(id);
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  static double magnitude(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += Math.abs((double) a[i] * b[i]);
    }
    return s;
  }

  List<Hit> all(float[] q) {
    List<Hit> hits = new ArrayList<>();
    for (Map.Entry<String, float[]> e : points.entrySet()) {
      hits.add(new Hit(e.getKey(), dot(q, e.getValue()), magnitude(q, e.getValue())));
    }
    hits.sort(Comparator.comparingDouble((Hit h) -> -h.score).thenComparing(Hit::id));
    return hits;
  }

  List<Hit> topK(float[] q, int k) {
    List<Hit> all = all(q);
    return all.subList(0, Math.min(k, all.size()));
  }

  static double tolerance(double magA, double magB) {
    return REL_TOL * Math.max(Math.max(magA, magB), 1e-30);
  }

  /**
   * Checks a tree answer against the oracle: same length, no duplicates, and at every rank the
   * returned item's true score equals the oracle's score at that rank within tolerance (so swaps
   * are allowed only between near-equal scores), and the reported score is its true score.
   */
  void assertTopK(float[] q, int k, List<Match> actual) {
    List<Hit> expected = topK(q, k);
    assertThat(actual)
        .as("result length for k=%d over %d points", k, points.size())
        .hasSize(expected.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < actual.size(); i++) {
      Match m = actual.get(i);
      if (!seen.add(m.id())) {
        fail("duplicate id " + m.id() + " in " + actual);
      }
      float[] v = points.get(m.id());
      if (v == null) {
        fail("returned id " + m.id() + " is not a live point");
      }
      double trueScore = dot(q, v);
      double mag = magnitude(q, v);
      Hit e = expected.get(i);
      double tol = tolerance(mag, e.magnitude());
      if (Math.abs(trueScore - e.score()) > tol) {
        fail(
            "rank "
                + i
                + ": got "
                + m.id()
                + " (score "
                + trueScore
                + ") but the oracle has "
                + e.id()
                + " (score "
                + e.score()
                + "); tolerance "
                + tol
                + "\nactual: "
                + actual
                + "\nexpected: "
                + expected);
      }
      if (Math.abs(m.score() - trueScore) > tolerance(mag, mag)) {
        fail(
            "reported score "
                + m.score()
                + " of "
                + m.id()
                + " differs from its true score "
                + trueScore);
      }
    }
  }

  /**
   * Every point with score at least the threshold; points within tolerance of it may go either way.
   */
  void assertAtLeast(float[] q, double threshold, List<Match> actual) {
    Set<String> got = new HashSet<>();
    for (Match m : actual) {
      assertThat(got.add(m.id())).as("duplicate %s", m.id()).isTrue();
    }
    for (Map.Entry<String, float[]> e : points.entrySet()) {
      double s = dot(q, e.getValue());
      double tol = tolerance(magnitude(q, e.getValue()), 0);
      boolean in = got.contains(e.getKey());
      if (s >= threshold + tol && !in) {
        fail("missing " + e.getKey() + " with score " + s + " >= " + threshold);
      }
      if (s < threshold - tol && in) {
        fail("returned " + e.getKey() + " with score " + s + " < " + threshold);
      }
    }
    for (int i = 1; i < actual.size(); i++) {
      assertThat(Match.BEST_FIRST.compare(actual.get(i - 1), actual.get(i))).isLessThan(0);
    }
  }
}
