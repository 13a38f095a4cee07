package io.simjoin.state;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;

/**
 * What a tree decides when it (re)learns its {@link Basis}, and the measurement behind it: the head
 * length of the partial product, or no basis at all.
 *
 * <p>No energy threshold decides: on non-negative data a mean direction and three others may hold
 * 80 % of the energy while what tells the points apart lies in the next dozen, and on a decaying
 * spectrum a longer head may pay even after an energy rule has stopped. Instead, {@link #learn}
 * takes the eigenvectors of the sample's uncentred second moment {@code E[p pᵀ]} (which minimise
 * the expected tail norm), uses {@value #PROBES} of the sample's points as probe queries against
 * the rest, and for each candidate head h in 4, 8, 16, … up to d/4 counts the points the bound
 * {@code <q_h,p_h> + ‖q_rest‖·‖p_rest‖} fails to prune against the probe's exact top-{@value
 * #PROBE_K} bar (scaled to the sample: the sample's r-th best with r = k·sample/size, at least 1),
 * among the points the norm bound leaves in play. The cost of a point in play is then, in full
 * inner products, {@code (h + OVERHEAD) / d + pass(h)}: the head's product, the bound's own
 * arithmetic, and the full product of each point it lets through. The cheapest head wins if it
 * costs less than {@value #KEEP_BELOW} of a full product; otherwise no basis is kept and points
 * carry no heads.
 *
 * <p>The probes meet every sample point, not only those the tree's ball bounds leave them: on
 * clustered data the measurement credits the head with pruning other clusters, which the ball
 * bounds do anyway (measured at 1M clustered points, d = 64: head 16 kept, inner products per query
 * 1.22 % to 1.18 %, query time unchanged, 72 more bytes per point). Measuring on the buckets a
 * probe's own search reaches would fix that.
 *
 * <pre>{@code
 * BasisChoice c = BasisChoice.learn(sample, count, dim, treeSize);
 * Basis b = c.basis(); // null when no head pays
 * LOG.info("basis: {}", c);
 * }</pre>
 *
 * @param basis the chosen basis, or {@code null}
 * @param passFraction measured fraction of the in-play sample points the chosen head lets through
 *     to a full product (1 without a basis)
 * @param cost measured cost of a point in play, in full inner products (1 without a basis)
 * @param measured every candidate's pass fraction and cost, for the log
 */
public record BasisChoice(Basis basis, double passFraction, double cost, String measured) {
  /** Candidate head lengths, tried up to d/4: a longer head costs more than a quarter of a dot. */
  private static final int[] HEADS = {4, 8, 16, 32, 64, 128, 256};

  /** Sample points used as probe queries. */
  static final int PROBES = 64;

  /** The k of the top-k searches the measurement imitates. */
  static final int PROBE_K = 10;

  /**
   * Per-point work of the bound besides the head's product (tail product, widening, compare, and
   * the separate kernel call of each survivor), in coordinates of a dot product.
   */
  static final double OVERHEAD = 8;

  /** A basis is kept only below this cost per point in play; heads cost memory and writes too. */
  static final double KEEP_BELOW = 0.8;

  /** Length of the chosen head; 0 without a basis. */
  public int head() {
    return basis == null ? 0 : basis.head();
  }

  private static BasisChoice none(String why) {
    return new BasisChoice(null, 1, 1, why);
  }

  /**
   * Learns and measures from {@code count} vectors stored contiguously in {@code sample}, drawn
   * from an index of {@code indexSize} points.
   */
  public static BasisChoice learn(float[] sample, int count, int dim, long indexSize) {
    int candidates = 0;
    while (candidates < HEADS.length && HEADS[candidates] <= dim / 4) {
      candidates++;
    }
    if (candidates == 0) {
      return none("no head of at least 4 fits in d/4 = " + dim / 4);
    }
    if (count < 2 * dim || count < 2 * PROBES) {
      return none("sample of " + count + " too small to learn " + dim + " directions");
    }
    int maxHead = HEADS[candidates - 1];
    double[] rows = leadingDirections(sample, count, dim, maxHead);
    if (rows == null) {
      return none("the sample has no energy");
    }
    double[] heads = new double[count * maxHead];
    double[] norms = new double[count];
    for (int p = 0; p < count; p++) {
      norms[p] = project(sample, p * dim, dim, rows, maxHead, heads, p * maxHead);
    }
    // tails[c][p]: the norm of point p outside the head of candidate c
    double[][] tails = new double[candidates][count];
    for (int p = 0; p < count; p++) {
      double left = norms[p] * norms[p];
      for (int c = 0, h = 0; c < candidates; c++) {
        for (; h < HEADS[c]; h++) {
          double x = heads[p * maxHead + h];
          left -= x * x;
        }
        tails[c][p] = Math.sqrt(Math.max(0, left));
      }
    }
    int rank =
        (int) Math.max(1, Math.min(count - 1, Math.round(PROBE_K * (double) count / indexSize)));
    long inPlay = 0;
    long[] passed = new long[candidates];
    double[] scores = new double[count];
    int stride = count / PROBES;
    for (int probe = 0; probe < PROBES; probe++) {
      int q = probe * stride;
      for (int p = 0; p < count; p++) {
        scores[p] = p == q ? Double.NEGATIVE_INFINITY : dot(sample, q * dim, sample, p * dim, dim);
      }
      double[] sorted = scores.clone();
      Arrays.sort(sorted);
      double bar = sorted[count - rank];
      for (int p = 0; p < count; p++) {
        if (p == q || norms[q] * norms[p] < bar) {
          continue;
        }
        inPlay++;
        double partial = 0;
        for (int c = 0, h = 0; c < candidates; c++) {
          for (; h < HEADS[c]; h++) {
            partial += heads[q * maxHead + h] * heads[p * maxHead + h];
          }
          if (partial + tails[c][q] * tails[c][p] >= bar) {
            passed[c]++;
          }
        }
      }
    }
    if (inPlay == 0) {
      return none("the norm bound alone prunes every sample point");
    }
    StringBuilder measured = new StringBuilder();
    int best = -1;
    double bestCost = KEEP_BELOW;
    for (int c = 0; c < candidates; c++) {
      double pass = passed[c] / (double) inPlay;
      double cost = (HEADS[c] + OVERHEAD) / dim + pass;
      measured.append(
          String.format(
              Locale.ROOT, "%sh=%d pass %.3f cost %.3f", c == 0 ? "" : ", ", HEADS[c], pass, cost));
      if (cost < bestCost) {
        bestCost = cost;
        best = c;
      }
    }
    measured.append(
        String.format(
            Locale.ROOT, " (%.3f of points in play)", inPlay / ((double) PROBES * (count - 1))));
    if (best < 0) {
      return none(measured.toString());
    }
    int h = HEADS[best];
    return new BasisChoice(
        new Basis(dim, h, Arrays.copyOf(rows, h * dim)),
        passed[best] / (double) inPlay,
        bestCost,
        measured.toString());
  }

  /**
   * The top {@code h} eigenvectors of the uncentred second moment of the sample, row-major, largest
   * eigenvalue first; {@code null} when the sample is all zeros.
   */
  private static double[] leadingDirections(float[] sample, int count, int dim, int h) {
    double[][] m = new double[dim][dim];
    for (int n = 0; n < count; n++) {
      int off = n * dim;
      for (int i = 0; i < dim; i++) {
        double xi = sample[off + i];
        if (xi == 0) {
          continue;
        }
        double[] row = m[i];
        for (int j = i; j < dim; j++) {
          row[j] += xi * sample[off + j];
        }
      }
    }
    double trace = 0;
    for (int i = 0; i < dim; i++) {
      trace += m[i][i];
      for (int j = 0; j < i; j++) {
        m[i][j] = m[j][i];
      }
    }
    if (!(trace > 0)) {
      return null;
    }
    EigenDecomposition eigen = new EigenDecomposition(MatrixUtils.createRealMatrix(m));
    double[] values = eigen.getRealEigenvalues();
    Integer[] order = new Integer[dim];
    for (int i = 0; i < dim; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    double[] rows = new double[h * dim];
    for (int r = 0; r < h; r++) {
      System.arraycopy(eigen.getEigenvector(order[r]).toArray(), 0, rows, r * dim, dim);
    }
    return rows;
  }

  /** Writes the first {@code h} coordinates of a sample point to {@code out}; returns its norm. */
  private static double project(
      float[] v, int off, int dim, double[] rows, int h, double[] out, int outOff) {
    double norm2 = 0;
    for (int j = 0; j < dim; j++) {
      norm2 += (double) v[off + j] * v[off + j];
    }
    for (int r = 0; r < h; r++) {
      double s = 0;
      for (int j = 0; j < dim; j++) {
        s += rows[r * dim + j] * v[off + j];
      }
      out[outOff + r] = s;
    }
    return Math.sqrt(norm2);
  }

  private static double dot(float[] a, int aOff, float[] b, int bOff, int dim) {
    double s = 0;
    for (int j = 0; j < dim; j++) {
      s += (double) a[aOff + j] * b[bOff + j];
    }
    return s;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "head %d, measured pass fraction %.3f, cost %.3f of a full product per point in play [%s]",
        head(),
        passFraction,
        cost,
        measured);
  }
}
