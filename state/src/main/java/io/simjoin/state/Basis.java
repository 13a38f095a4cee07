package io.simjoin.state;

import java.util.Arrays;

/**
 * The leading directions of a learned orthonormal basis, for the partial-product bound of FEXIPRO
 * (Li et al., SIGMOD 2017): for an orthonormal R, {@code <q,p> = <Rq,Rp>}, so with the first h
 * rotated coordinates ("heads") and the norms of the rest ("tails"), {@code <q,p> <= <q_h,p_h> +
 * ‖q_rest‖·‖p_rest‖} by Cauchy–Schwarz. The bound holds for any orthonormal basis: a stale one only
 * prunes less, it never loses a result.
 *
 * <p>A tree learns its basis, and the head length, from measured pruning (see {@link BasisChoice});
 * on isotropic data no basis is kept and points carry no heads.
 *
 * <pre>{@code
 * Basis b = BasisChoice.learn(sample, count, dim, treeSize).basis(); // null when none pays
 * float[] head = new float[b.head()];
 * float tail = b.project(v, 0, head, 0);
 * }</pre>
 */
public final class Basis {
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

  @Override
  public boolean equals(Object o) {
    return o instanceof Basis b && b.dim == dim && b.head == head && Arrays.equals(b.rows, rows);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dim + head) + Arrays.hashCode(rows);
  }
}
