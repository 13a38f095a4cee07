package io.simjoin.state.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The independent reference for the state tests: one brute-force scan in double precision per Flink
 * key, written without the tree's code. Scores count as equal when they differ by less than 1e-5 of
 * the magnitude of the products that form them (the rule of {@code io.simjoin.state.Oracle}).
 */
final class KeyedOracle {
  static final double REL_TOL = 1e-5;

  private final Map<String, Map<String, float[]>> points = new HashMap<>();

  private record Hit(String id, double score, double magnitude) {}

  Map<String, float[]> of(String key) {
    return points.computeIfAbsent(key, k -> new LinkedHashMap<>());
  }

  /** Puts a point; returns whether it was present. */
  boolean put(String key, String id, float[] v) {
    return of(key).put(id, v.clone()) != null;
  }

  boolean remove(String key, String id) {
    return of(key).remove(id) != null;
  }

  int size(String key) {
    return of(key).size();
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static double magnitude(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += Math.abs((double) a[i] * b[i]);
    }
    return s;
  }

  private static double tolerance(double magA, double magB) {
    return REL_TOL * Math.max(Math.max(magA, magB), 1e-30);
  }

  /**
   * Checks a top-k answer for key {@code key}: the right length, no duplicates, live ids only, at
   * every rank the true score of the returned id equal (within tolerance) to the oracle's score at
   * that rank, and reported scores equal to true scores.
   */
  void assertTopK(String key, float[] q, int k, List<String> ids, List<Float> scores) {
    Map<String, float[]> live = of(key);
    List<Hit> all = new ArrayList<>();
    for (Map.Entry<String, float[]> e : live.entrySet()) {
      all.add(new Hit(e.getKey(), dot(q, e.getValue()), magnitude(q, e.getValue())));
    }
    all.sort(Comparator.comparingDouble((Hit h) -> -h.score).thenComparing(Hit::id));
    List<Hit> expected = all.subList(0, Math.min(k, all.size()));
    assertThat(ids)
        .as("result length for k=%d over %d points of %s", k, live.size(), key)
        .hasSize(expected.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      if (!seen.add(id)) {
        fail("duplicate id " + id + " in " + ids);
      }
      float[] v = live.get(id);
      if (v == null) {
        fail("key " + key + ": returned id " + id + " is not one of its live points");
      }
      double trueScore = dot(q, v);
      double mag = magnitude(q, v);
      Hit e = expected.get(i);
      double tol = tolerance(mag, e.magnitude());
      if (Math.abs(trueScore - e.score()) > tol) {
        fail(
            "key %s rank %d: got %s (score %s) but the oracle has %s (score %s); tolerance %s",
            key, i, id, trueScore, e.id(), e.score(), tol);
      }
      if (Math.abs(scores.get(i) - trueScore) > tolerance(mag, mag)) {
        fail(
            "reported score "
                + scores.get(i)
                + " of "
                + id
                + " but its true score is "
                + trueScore);
      }
    }
  }
}
