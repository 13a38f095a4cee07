package io.simjoin.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.simjoin.operators.events.ScoredItem;
import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The brute-force reference the join's integration tests share: double-precision inner products
 * over plain maps, written without any of simjoin's code.
 */
public final class JoinOracle {
  private JoinOracle() {}

  /** {@link #assertTopK} for the join's internal {@link Match} lists. */
  public static void assertTopKMatches(
      String label, float[] q, int k, List<Match> got, Map<String, float[]> items) {
    List<ScoredItem> scored = new ArrayList<>(got.size());
    for (Match m : got) {
      scored.add(new ScoredItem(m.id(), m.score()));
    }
    assertTopK(label, q, k, scored, items);
  }

  /**
   * Asserts that {@code got} is the exact top-k of {@code items} for query {@code q}: same length,
   * no deleted item, and at every rank a score equal to the oracle's within 1e-5 of the magnitude
   * of the products that form them (float rounding; so ids may differ only between near-equal
   * scores).
   */
  public static void assertTopK(
      String label, float[] q, int k, List<ScoredItem> got, Map<String, float[]> items) {
    List<Map.Entry<String, Double>> all = new ArrayList<>();
    for (Map.Entry<String, float[]> e : items.entrySet()) {
      all.add(Map.entry(e.getKey(), dot(q, e.getValue())));
    }
    all.sort(
        Comparator.comparingDouble((Map.Entry<String, Double> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    List<Map.Entry<String, Double>> want = all.subList(0, Math.min(k, all.size()));
    assertThat(got).as("top-k of %s", label).isNotNull().hasSize(want.size());
    for (int i = 0; i < got.size(); i++) {
      float[] v = items.get(got.get(i).itemId());
      if (v == null) {
        fail(label + " holds deleted " + got.get(i).itemId());
      }
      double tol = 1e-5 * Math.max(mag(q, v), mag(q, items.get(want.get(i).getKey())));
      if (Math.abs(dot(q, v) - want.get(i).getValue()) > tol) {
        fail(label + " rank " + i + ": " + got + " but the oracle has " + want);
      }
    }
  }

  /** A deterministic pick: keys sorted first, since set order is not. */
  public static String pick(SplittableRandom r, Set<String> keys) {
    List<String> l = new ArrayList<>(keys);
    l.sort(null);
    return l.get(r.nextInt(l.size()));
  }

  public static float[] vector(SplittableRandom r, int d) {
    float[] v = new float[d];
    for (int i = 0; i < d; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return v;
  }

  /** The sum of |a_i b_i|: the scale of a dot product's float rounding. */
  public static double mag(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += Math.abs((double) a[i] * b[i]);
    }
    return Math.max(s, 1e-30);
  }

  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
