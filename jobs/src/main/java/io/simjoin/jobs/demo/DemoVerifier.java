package io.simjoin.jobs.demo;

import io.simjoin.bench.ExactScan;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.UpdateCause;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The demo's self-check: every standing query's last committed top-k against a brute-force scan
 * ({@link ExactScan}) over the catalogue the demo generated, and every cancelled query ended by its
 * CANCELLED update or tombstone.
 *
 * <pre>{@code
 * DemoVerifier.Result r = DemoVerifier.verify(scenario, watcher::last);
 * out.println("verified: " + r.exact() + "/" + r.checked() + " standing queries exact");
 * }</pre>
 *
 * <p>"Exact" is the project's contract: the same scores, position by position, up to float rounding
 * (a relative 1e-5, since the job and the scan may add the products in another order), and each
 * returned item is live, unique and scores what the update says; items may swap places only where
 * their scores tie within that tolerance.
 */
final class DemoVerifier {
  static final double RELATIVE_TOLERANCE = 1e-5;

  private DemoVerifier() {}

  /**
   * How many standing queries were checked, how many were exact, and the first few that were not.
   */
  record Result(int checked, int exact, List<String> wrong, int cancelled, int ended) {
    boolean allExact() {
      return exact == checked && ended == cancelled;
    }
  }

  static Result verify(DemoScenario scenario, Function<String, DemoWatcher.Last> last) {
    Int2ObjectOpenHashMap<float[]> catalogue = scenario.catalogue();
    int d = scenario.settings().dim();
    int[] ids = catalogue.keySet().toIntArray();
    float[] data = new float[ids.length * d];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(catalogue.get(ids[i]), 0, data, i * d, d);
    }
    ExactScan scan = new ExactScan(new VectorSet(ids.length, d, data), ids);
    Map<String, DemoScenario.Standing> standing = scenario.standing();
    // The scan is the slow part (queries x items x d); the machine's cores share it.
    List<String> wrong =
        standing.entrySet().parallelStream()
            .filter(e -> !exact(scan, catalogue, e.getValue(), last.apply(e.getKey())))
            .map(Map.Entry::getKey)
            .sorted()
            .collect(Collectors.toList());
    int ended = 0;
    for (String id : scenario.cancelled()) {
      DemoWatcher.Last l = last.apply(id);
      ended += l != null && (l.isTombstone() || l.cause() == UpdateCause.Kind.CANCELLED) ? 1 : 0;
    }
    return new Result(
        standing.size(),
        standing.size() - wrong.size(),
        first(wrong, 5),
        scenario.cancelled().size(),
        ended);
  }

  /** Whether the query's last committed record is its exact top-k over the final catalogue. */
  static boolean exact(
      ExactScan scan,
      Int2ObjectOpenHashMap<float[]> catalogue,
      DemoScenario.Standing q,
      DemoWatcher.Last got) {
    if (got == null || got.isTombstone() || got.cause() == UpdateCause.Kind.CANCELLED) {
      return false;
    }
    ExactScan.Result want = scan.topK(q.vector(), q.k());
    List<ScoredItem> m = got.matches();
    if (m.size() != want.ids().length) {
      return false;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < m.size(); i++) {
      ScoredItem s = m.get(i);
      if (!close(s.score(), want.scores()[i]) || !seen.add(s.itemId())) {
        return false;
      }
      float[] v = itemVector(catalogue, s.itemId());
      if (v == null || !close(DemoScenario.dot(q.vector(), v), s.score())) {
        return false;
      }
    }
    return true;
  }

  private static float[] itemVector(Int2ObjectOpenHashMap<float[]> catalogue, String itemId) {
    String prefix = DemoScenario.itemId(0).replace("0", "");
    if (!itemId.startsWith(prefix)) {
      return null;
    }
    try {
      return catalogue.get(Integer.parseInt(itemId.substring(prefix.length())));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static boolean close(double a, double b) {
    return Math.abs(a - b)
        <= RELATIVE_TOLERANCE * Math.max(1e-3, Math.max(Math.abs(a), Math.abs(b)));
  }

  private static List<String> first(List<String> all, int n) {
    return new ArrayList<>(all.subList(0, Math.min(n, all.size())));
  }
}
