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

  /** Whether reported scores are the kernel's; else they are the screen's (see {@link #scan}). */
  private boolean exactScores;

  ReverseRules(DotKernel kernel, int dim, TreeCounters counters) {
    super(kernel, dim, counters);
  }

  void start(float[] item, double itemNorm, double slack, boolean exactScores) {
    super.start(item, itemNorm);
    this.slack = slack;
    this.exactScores = exactScores;
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

  /**
   * Scores every point of the bucket at once from its panels, then decides each point whose
   * screened score, widened by the rounding that separates it from the kernel's, reaches its bar:
   * the per-point norm bound prunes nothing in trees of directions, and one panel pass costs a
   * fraction of a kernel call per point. Without exact scores, a point passing the screen is
   * reported with its screened score: it may then score up to twice the rounding margin below its
   * bar, which callers that decide candidates themselves (see {@link
   * CoverTree#reverseSearch(float[], double)}) accept, and the kernel call per candidate, most of
   * the work while bars are still low, is saved.
   */
  @Override
  void scan(Bucket b) {
    float[] screened = screenAll(b);
    double widen = 2.0 * slackFactor * probeNorm;
    for (int i = 0; i < b.size; i++) {
      double bar = b.bars[i] - slack;
      float s = screened[i];
      if (s + widen * b.norms[i] >= bar) {
        if (!exactScores) {
          found.add(new Match(b.ids[i], s));
        } else {
          s = score(b, i);
          if (s >= bar) {
            found.add(new Match(b.ids[i], s));
          }
        }
      }
    }
  }
}
