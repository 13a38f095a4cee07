package io.simjoin.state.kernel;

import java.util.Objects;

/** Argument checks shared by the kernels, so both reject the same calls with the same exception. */
final class KernelChecks {
  private KernelChecks() {}

  /**
   * Checks the ranges {@link DotKernel#dots} reads and writes up front, once per block rather than
   * per row, which also lets the per-row code run without its own checks.
   */
  static void checkDots(
      float[] q,
      int qOff,
      float[] block,
      int blockOff,
      int count,
      int dim,
      float[] out,
      int outOff) {
    if (count < 0 || dim < 0) {
      throw new IllegalArgumentException(
          "count and dim must be >= 0: count=" + count + ", dim=" + dim);
    }
    Objects.checkFromIndexSize(qOff, dim, q.length);
    // A long product: count * dim may overflow int for a bad call, and must fail, not wrap.
    long blockLen = (long) count * dim;
    if (blockOff < 0 || blockLen > block.length - (long) blockOff) {
      throw new IndexOutOfBoundsException(
          "block range ["
              + blockOff
              + ", "
              + blockOff
              + " + "
              + count
              + " * "
              + dim
              + ") out of bounds for length "
              + block.length);
    }
    Objects.checkFromIndexSize(outOff, count, out.length);
  }

  /** Checks the ranges {@link DotKernel#panelDots} reads and writes up front. */
  static void checkPanelDots(
      float[] q, int qOff, byte[] panels, int panelCount, int dim, float[] out) {
    if (panelCount < 0 || dim < 0) {
      throw new IllegalArgumentException(
          "panelCount and dim must be >= 0: panelCount=" + panelCount + ", dim=" + dim);
    }
    Objects.checkFromIndexSize(qOff, dim, q.length);
    long points = (long) panelCount * DotKernel.PANEL;
    if (points * dim > panels.length) {
      throw new IndexOutOfBoundsException(
          panelCount
              + " panels of "
              + dim
              + " × "
              + DotKernel.PANEL
              + " out of bounds for length "
              + panels.length);
    }
    if (points > out.length) {
      throw new IndexOutOfBoundsException(
          points + " results out of bounds for length " + out.length);
    }
  }
}
