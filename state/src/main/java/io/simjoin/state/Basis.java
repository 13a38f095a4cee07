package io.simjoin.state;

import java.util.Arrays;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The leading directions of a learned orthonormal basis, for the partial-product bound of FEXIPRO
 * (Li et al., SIGMOD 2017): for an orthonormal R, {@code <q,p> = <Rq,Rp>}, so with the first h
 * rotated coordinates ("heads") and the norms of the rest ("tails"), {@code <q,p> <= <q_h,p_h> +
 * ‖q_rest‖·‖p_rest‖} by Cauchy–Schwarz. The bound holds for any orthonormal basis: a stale one only
 * prunes less, it never loses a result.
 *
 * <p>The basis is the top eigenvectors of the uncentred second-moment matrix {@code E[p pᵀ]}, which
 * is what minimises the expected tail norm. It is kept only where it pays: when at most {@code d/8}
 * directions hold at least 80 % of the energy (decaying spectra, as real embeddings have); on
 * isotropic data no basis is kept and points carry no heads.
 *
 * <pre>{@code
 * Basis b = Basis.learn(sample, count, dim); // null when it would not pay
 * float[] head = new float[b.head()];
 * float tail = b.project(v, 0, head, 0);
 * }</pre>
 */
public final class Basis {
  /** Energy share the heads must hold for the bound to pay. */
  public static final double MIN_ENERGY = 0.8;

  private final int dim;
  private final int head;
  private final double[] rows;

  /** A basis of {@code head} orthonormal rows of length {@code dim}, row-major. */
  public Basis(int dim, int head, double[] rows) {
    if (rows.length != dim * head) {
      throw new IllegalArgumentException("expected " + dim * head + " values, got " + rows.length);
    }
    this.dim = dim;
    this.head = head;
    this.rows = rows;
  }

  public int dimension() {
    return dim;
  }

  /** Number of leading directions kept: the length of a head. */
  public int head() {
    return head;
  }

  /** The rows, row-major; do not modify. */
  public double[] rows() {
    return rows;
  }

  /**
   * Writes the head of {@code v} (its first {@link #head()} rotated coordinates) to {@code out} and
   * returns an upper bound of the norm of the rest. Computed in double precision so the tail of a
   * vector that the heads almost exhaust does not drown in cancellation.
   */
  public float project(float[] v, int vOff, float[] out, int outOff) {
    double norm2 = 0;
    for (int j = 0; j < dim; j++) {
      double x = v[vOff + j];
      norm2 += x * x;
    }
    double head2 = 0;
    for (int r = 0; r < head; r++) {
      double s = 0;
      int base = r * dim;
      for (int j = 0; j < dim; j++) {
        s += rows[base + j] * v[vOff + j];
      }
      out[outOff + r] = (float) s;
      head2 += s * s;
    }
    double tail = Math.sqrt(Math.max(0, norm2 - head2));
    // Round up, plus the double error of the subtraction, so the tail stays an upper bound.
    return Math.nextUp((float) (tail + 1e-12 * Math.sqrt(norm2)));
  }

  /**
   * Learns a basis from {@code count} vectors stored contiguously in {@code sample}, or returns
   * {@code null} when no head of at most {@code dim / 8} directions holds {@link #MIN_ENERGY} of
   * the energy (the bound would cost more than it prunes).
   */
  public static Basis learn(float[] sample, int count, int dim) {
    int maxHead = (dim / 8) / 4 * 4;
    if (maxHead < 4 || count < 2 * dim) {
      return null;
    }
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
    RealMatrix matrix = MatrixUtils.createRealMatrix(m);
    EigenDecomposition eigen = new EigenDecomposition(matrix);
    double[] values = eigen.getRealEigenvalues();
    Integer[] order = new Integer[dim];
    for (int i = 0; i < dim; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    double cum = 0;
    int head = -1;
    for (int h = 1; h <= maxHead; h++) {
      cum += Math.max(0, values[order[h - 1]]);
      if (h % 4 == 0 && cum >= MIN_ENERGY * trace) {
        head = h;
        break;
      }
    }
    if (head < 0) {
      return null;
    }
    double[] rows = new double[head * dim];
    for (int r = 0; r < head; r++) {
      double[] vec = eigen.getEigenvector(order[r]).toArray();
      System.arraycopy(vec, 0, rows, r * dim, dim);
    }
    return new Basis(dim, head, rows);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Basis b && b.dim == dim && b.head == head && Arrays.equals(b.rows, rows);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dim + head) + Arrays.hashCode(rows);
  }
}
