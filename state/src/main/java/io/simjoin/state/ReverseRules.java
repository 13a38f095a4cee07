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

  /** When set, buckets reached are only reported here, with the item's bound, and not screened. */
  private Reached collect;

  /** Where a collecting traversal reports a bucket it reaches. */
  @FunctionalInterface
  interface Reached {
    /**
     * The item reaches bucket {@code bucketId}: {@code bound} is an upper bound of its score with
     * any point of the bucket, plus its slack.
     */
    void bucket(long bucketId, double bound);
  }

  ReverseRules(DotKernel kernel, int dim, TreeCounters counters) {
    super(kernel, dim, counters);
  }

  void start(float[] item, double itemNorm, double slack, boolean exactScores) {
    super.start(item, itemNorm);
    this.slack = slack;
    this.exactScores = exactScores;
    this.collect = null;
    found.clear();
  }

  /** Starts a traversal that reports the buckets it reaches to {@code buckets} instead. */
  void startCollecting(float[] item, double itemNorm, double slack, Reached buckets) {
    start(item, itemNorm, slack, false);
    this.collect = buckets;
  }

  @Override
  double bound(float dotWithCentre, float radius, float maxNorm, float minBar) {
    return scoreBound(dotWithCentre, radius, maxNorm) - minBar + slack;
  }

  @Override
  boolean prune(double bound) {
    return bound < 0;
  }

  /** A collecting traversal only reports the buckets it reaches: it does not read them. */
  @Override
  boolean reads() {
    return collect == null;
  }

  @Override
  void reached(long bucketId, float dotWithCentre, float radius, float maxNorm) {
    collect.bucket(bucketId, scoreBound(dotWithCentre, radius, maxNorm) + slack);
  }

  /** The bars do not move during a search: every entry that passes at push is visited anyway. */
  @Override
  boolean prunesMoreBestFirst() {
    return false;
  }

  /**
   * Screens every point of the bucket at once from its 8-bit codes, then decides each point by how
   * its screened score compares with its bar: the norm bound per point prunes nothing in trees of
   * directions, and one pass over the codes costs a fraction of a kernel call per point. A point
   * whose screened score clears its bar by more than the screen's uncertainty (see {@link
   * #uncertainty}) is found without a kernel call, with its screened score unless exact scores are
   * asked for; one within the uncertainty is decided by the kernel. So the points found are exactly
   * those the kernel would pass, and while bars are still low (every point passes) no point costs a
   * kernel call.
   */
  @Override
  void scan(Bucket b) {
    Bucket.Codes codes = b.codes();
    float[] screened = screenAll(b, codes);
    for (int i = 0; i < b.size; i++) {
      double bar = b.bars[i] - slack;
      float s = screened[i];
      double uncertainty = probeNorm * uncertainty(b, codes, i, slackFactor);
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

  /**
   * How far, per unit of the probe's norm, a point's screened score may be from its kernel score:
   * the point's quantization error, plus the rounding of the screen and of the kernel.
   */
  static double uncertainty(Bucket b, Bucket.Codes codes, int i, double slackFactor) {
    return codes.errors()[i] * (1 + slackFactor) + 2 * slackFactor * b.norms[i];
  }

  /**
   * {@link #scan} for one item of a batch, from its products with the bucket's codes, adding what
   * passes to {@code batch}, with no kernel call: a point within the screen's uncertainty of its
   * bar is added with that margin, for the caller to decide, and one whose upper bound cannot reach
   * the batch's cut for it is dropped. So while bars are low and every point passes the screen,
   * most cost only the compare.
   */
  void screenBatch(Bucket b, ReverseBatch batch, int item, float[] codeDots) {
    float[] screened = scale(b, b.codes(), codeDots);
    double[] floors = batch.floors;
    double[] weights = batch.weights;
    for (int i = 0; i < b.size; i++) {
      double margin = probeNorm * weights[i];
      double s = screened[i];
      if (s + margin + slack >= floors[i]) {
        // rounded to float upwards, so it stays a bound
        batch.add(i, item, (float) s, (float) (margin * (1 + 1e-6)), slack);
      }
    }
  }
}
