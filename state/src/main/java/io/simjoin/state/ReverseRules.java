package io.simjoin.state;

import io.simjoin.state.kernel.DotKernel;
import java.util.ArrayList;
import java.util.List;

/**
 * Rules for the reverse search: given an item p, every stored query q with {@code <q,p> >= bar_q}.
 * An entry is bounded by {@code max over its queries of (<q,p> - bar_q)}, which is at most the
 * score bound of the entry minus its min bar; it is pruned when that is negative.
 */
final class ReverseRules extends SearchRules {
  final List<Match> found = new ArrayList<>();

  /** How far below its bar a point may score and still be reported. */
  private double slack;

  ReverseRules(DotKernel kernel, int dim, TreeCounters counters) {
    super(kernel, dim, counters);
  }

  void start(float[] item, double itemNorm, double slack) {
    super.start(item, itemNorm);
    this.slack = slack;
    found.clear();
  }

  @Override
  double bound(float dotWithCentre, float radius, float maxNorm, float minBar) {
    return scoreBound(dotWithCentre, radius, maxNorm) - minBar + slack;
  }

  @Override
  boolean prune(double bound) {
    return bound < 0;
  }

  @Override
  void scan(Bucket b) {
    for (int i = 0; i < b.size; i++) {
      double bar = b.bars[i] - slack;
      if (pointBound(b.norms[i]) >= bar) {
        float s = score(b, i);
        if (s >= bar) {
          found.add(new Match(b.ids[i], s));
        }
      }
    }
  }
}
