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
   * Screens every point of the bucket at once from its 8-bit codes, then decides each point by how
   * its screened score compares with its bar: the norm bound per point prunes nothing in trees of
   * directions, and one pass over the codes costs a fraction of a kernel call per point. A point
   * whose screened score clears its bar by more than the screen's uncertainty (quantization error
   * plus rounding of both the screen and the kernel) is reported without a kernel call, with its
   * screened score unless exact scores are asked for; one within the uncertainty is decided by the
   * kernel. So the set reported is exactly the kernel's, and while bars are still low (every point
   * passes) no point costs a kernel call.
   */
  @Override
  void scan(Bucket b) {
    Bucket.Codes codes = b.codes();
    float[] screened = screenAll(b, codes);
    for (int i = 0; i < b.size; i++) {
      double bar = b.bars[i] - slack;
      float s = screened[i];
      double uncertainty =
          probeNorm * (codes.errors()[i] * (1 + slackFactor) + 2 * slackFactor * b.norms[i]);
      if (s + uncertainty < bar) {
        continue;
      }
      if (exactScores || s - uncertainty < bar) {
        s = score(b, i);
        if (s < bar) {
          continue;
        }
      }
      found.add(new Match(b.ids[i], s));
    }
  }
}
