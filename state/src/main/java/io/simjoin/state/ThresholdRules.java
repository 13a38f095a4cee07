package io.simjoin.state;

import io.simjoin.state.kernel.DotKernel;
import java.util.ArrayList;
import java.util.List;

/** Rules for every point whose score reaches a fixed threshold. */
final class ThresholdRules extends SearchRules {
  private double threshold;
  final List<Match> found = new ArrayList<>();

  ThresholdRules(DotKernel kernel, int dim, TreeCounters counters) {
    super(kernel, dim, counters);
  }

  void start(float[] query, double queryNorm, double threshold) {
    super.start(query, queryNorm);
    this.threshold = threshold;
    found.clear();
  }

  @Override
  double bound(float dotWithCentre, float radius, float maxNorm, float minBar) {
    return scoreBound(dotWithCentre, radius, maxNorm);
  }

  @Override
  boolean prune(double bound) {
    return bound < threshold;
  }

  /** The threshold does not move: every entry that passes at push is visited anyway. */
  @Override
  boolean prunesMoreBestFirst() {
    return false;
  }

  @Override
  void scan(Bucket b) {
    int m = inPlay(b, threshold);
    if (m == 0) {
      return;
    }
    float[] s = scoreAll(b, m);
    for (int i = 0; i < m; i++) {
      if (s[i] >= threshold) {
        found.add(new Match(b.ids[i], s[i]));
      }
    }
  }
}
