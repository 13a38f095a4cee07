package io.simjoin.state;

import io.simjoin.state.kernel.DotKernel;

/**
 * What one traversal of a {@link CoverTree} computes, separated from how the tree is walked (as
 * mlpack's FastMKS separates its rules from the tree's traverser): the same best-first traversal
 * serves top-k search, threshold search and the reverse search for standing queries.
 *
 * <p>A rule bounds an entry from the inner product of the probe with the entry's centre and the
 * entry's summary, says when a bound can be dropped, and evaluates the points of a bucket. Bounds
 * must be monotone with the traversal: once {@link #prune} says yes to a value it says yes to every
 * lower value for the rest of the traversal, which is what lets the traversal stop at the first
 * pruned entry it pops.
 */
abstract class SearchRules {
  /**
   * Relative float error of one inner product per dimension, doubled for safety. Bounds are widened
   * by it so rounding never prunes a point whose kernel score would have entered.
   */
  private static final double ROUNDING_PER_DIM = 1.2e-7;

  final DotKernel kernel;
  final int dim;
  final TreeCounters counters;
  final double slackFactor;
  float[] probe;
  double probeNorm;
  float[] scores = new float[64];

  /**
   * Points whose full product this search computed: what tells the traversal bounds prune little.
   */
  long pointsScored;

  // Partial products (see Basis): the probe's head and tail, and whether they still pay this
  // search.
  Basis basis;
  float[] probeHead = new float[0];
  double probeTail;
  boolean partialsPay;
  private long partialChecks;
  private long partialSurvivors;
  private float[] partials = new float[64];

  SearchRules(DotKernel kernel, int dim, TreeCounters counters) {
    this.kernel = kernel;
    this.dim = dim;
    this.counters = counters;
    this.slackFactor = ROUNDING_PER_DIM * (dim + 4);
  }

  void start(float[] probe, double probeNorm) {
    this.probe = probe;
    this.probeNorm = probeNorm;
    this.pointsScored = 0;
  }

  /** Called by the traversal before it starts, with the tree's current basis or null. */
  void useBasis(Basis b) {
    basis = b;
    partialsPay = b != null;
    partialChecks = 0;
    partialSurvivors = 0;
    if (b != null) {
      if (probeHead.length < b.head()) {
        probeHead = new float[b.head()];
      }
      probeTail = b.project(probe, 0, probeHead, 0);
    }
  }

  /** Whether the first points of this bucket should be screened by partial products first. */
  final boolean screen(Bucket b) {
    return partialsPay && b.heads != null && b.head == basis.head();
  }

  /**
   * Upper bounds of the scores of the first {@code m} points of the bucket from their heads and
   * tails: one short kernel call over the contiguous heads.
   */
  final float[] partialBounds(Bucket b, int m) {
    if (partials.length < m) {
      partials = new float[Math.max(m, 2 * partials.length)];
    }
    int h = b.head;
    kernel.dots(probeHead, 0, b.heads, 0, m, h, partials, 0);
    counters.partialDots += m;
    double widen = 2.0 * slackFactor * probeNorm;
    for (int i = 0; i < m; i++) {
      partials[i] = (float) (partials[i] + probeTail * b.tails[i] + widen * b.norms[i]);
    }
    return partials;
  }

  /**
   * Records how many screened points needed their full product; once most do, screening only adds
   * work, so it stops for the rest of this search.
   */
  final void screened(int checked, int survived) {
    partialChecks += checked;
    partialSurvivors += survived;
    if (partialChecks >= 512 && 2 * partialSurvivors > partialChecks) {
      partialsPay = false;
    }
  }

  /**
   * Upper bound of {@code <probe, p>} over the points p below an entry: the ball bound {@code
   * <probe,c> + R·‖probe‖} and the norm bound {@code ‖probe‖·maxNorm}, whichever is tighter,
   * widened for float rounding.
   */
  final double scoreBound(float dotWithCentre, float radius, float maxNorm) {
    double ball = dotWithCentre + (double) radius * probeNorm;
    double norm = probeNorm * maxNorm;
    return Math.min(ball, norm) + slackFactor * probeNorm * (2.0 * maxNorm + radius);
  }

  /** Upper bound of a single point's score from its norm alone. */
  final double pointBound(float norm) {
    return probeNorm * norm * (1.0 + 2.0 * slackFactor);
  }

  /** The priority of an entry; larger is visited first. */
  abstract double bound(float dotWithCentre, float radius, float maxNorm, float minBar);

  /** Whether an entry with this priority can contain nothing to report any more. */
  abstract boolean prune(double bound);

  /**
   * Whether visiting entries best first can prune more: true when {@link #prune} tightens as the
   * search finds results (a top-k's k-th score); a fixed test visits the same entries in any order.
   */
  boolean prunesMoreBestFirst() {
    return true;
  }

  /** Evaluates the points of a bucket. */
  abstract void scan(Bucket bucket);

  /**
   * Whether the search evaluates the buckets it reaches ({@link #scan}), or only notes them ({@link
   * #reached}) as its traversal comes upon them, so they are neither queued nor read.
   */
  boolean reads() {
    return true;
  }

  /**
   * Notes a bucket the search reached, when it does not {@link #reads read} buckets, with the
   * probe's product with the bucket's centre and the bucket's radius and largest norm.
   */
  void reached(long bucketId, float dotWithCentre, float radius, float maxNorm) {
    throw new UnsupportedOperationException("this search reads its buckets");
  }

  /**
   * How many leading points of the bucket the norm bound leaves in play against {@code bar}: the
   * bucket is in descending norm order, so they form a prefix.
   */
  final int inPlay(Bucket b, double bar) {
    int n = b.size;
    if (pointBound(b.norms[n - 1]) >= bar) {
      return n;
    }
    int lo = 0;
    int hi = n - 1;
    // invariant: points before lo are in play, the point at hi is not
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (pointBound(b.norms[mid]) >= bar) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Scores the first {@code m} points of the bucket into {@link #scores} with one kernel call. */
  final float[] scoreAll(Bucket b, int m) {
    if (scores.length < m) {
      scores = new float[Math.max(m, scores.length * 2)];
    }
    kernel.dots(probe, 0, b.vectors, 0, m, dim, scores, 0);
    counters.dots += m;
    pointsScored += m;
    return scores;
  }

  /**
   * Screens every point of the bucket with one {@link DotKernel#panelDots} pass over its codes:
   * result {@code i} is the probe's product with point i's codes times their scale, within {@code
   * probeNorm · errors[i]} of the product with the point plus float rounding (see {@link
   * ReverseRules#scan}).
   */
  final float[] screenAll(Bucket b, Bucket.Codes codes) {
    int panelCount = b.panelCount();
    int points = panelCount * DotKernel.PANEL;
    if (scores.length < points) {
      scores = new float[Math.max(points, scores.length * 2)];
    }
    kernel.panelDots(probe, 0, codes.panels(), panelCount, dim, scores);
    return scale(b, codes, scores);
  }

  /**
   * Turns the products with a bucket's codes (from {@link DotKernel#panelDots}) into screened
   * scores, in place, and counts them.
   */
  final float[] scale(Bucket b, Bucket.Codes codes, float[] raw) {
    for (int p = 0; p < b.panelCount(); p++) {
      float scale = codes.scales()[p];
      for (int i = p * DotKernel.PANEL, end = Math.min(b.size, i + DotKernel.PANEL); i < end; i++) {
        raw[i] *= scale;
      }
    }
    counters.screenDots += b.size;
    return raw;
  }

  final float score(Bucket b, int i) {
    counters.dots++;
    pointsScored++;
    return kernel.dot(probe, 0, b.vectors, i * dim, dim);
  }
}
