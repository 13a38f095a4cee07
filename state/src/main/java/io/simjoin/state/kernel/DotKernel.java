package io.simjoin.state.kernel;

/**
 * Inner-product and distance kernels over float32 vectors laid out contiguously in {@code float[]}.
 *
 * <p>Every method must give the same result for the same pair of vectors whether it is called
 * through {@link #dot} or as one row of {@link #dots}: the tree and the scan it is checked against
 * then agree bit for bit, and exactness tests compare ids rather than fight rounding.
 *
 * <pre>{@code
 * DotKernel kernel = DotKernels.best();
 * float s = kernel.dot(q, 0, block, row * dim, dim);
 * }</pre>
 */
public interface DotKernel {

  /** Inner product of {@code a[aOff, aOff+len)} and {@code b[bOff, bOff+len)}. */
  float dot(float[] a, int aOff, float[] b, int bOff, int len);

  /**
   * Inner products of {@code q[qOff, qOff+dim)} with {@code count} vectors stored one after another
   * from {@code block[blockOff]}; result {@code i} goes to {@code out[outOff + i]}.
   */
  void dots(
      float[] q,
      int qOff,
      float[] block,
      int blockOff,
      int count,
      int dim,
      float[] out,
      int outOff);

  /** Points per panel in {@link #panelDots}. */
  int PANEL = 64;

  /**
   * Inner products of {@code q[qOff, qOff+dim)} with {@code panelCount × PANEL} vectors of 8-bit
   * codes stored in panels of {@link #PANEL} points, each panel column by column: component {@code
   * j} of point {@code i} is {@code panels[((i / PANEL) * dim + j) * PANEL + i % PANEL]}, and
   * result {@code i} goes to {@code out[i]}.
   *
   * <p>For screening many short vectors at once, quantized (see {@code Bucket}): the layout lets
   * the kernel work on many points per instruction with no horizontal sum, the codes take a quarter
   * of the memory of floats, and the fixed panel width keeps every index a constant stride from the
   * loop counter, so the JIT drops the bounds checks. The sums are rounded in another order than
   * {@link #dot}'s, within the same bound.
   */
  void panelDots(float[] q, int qOff, byte[] panels, int panelCount, int dim, float[] out);

  /**
   * {@link #panelDots} for {@code count} probes over the same panels: probe {@code probes[p]} (from
   * offset 0) into {@code outs[p]}, each result bit for bit what {@code panelDots} gives. A kernel
   * may load and widen each code once for several probes, which is most of the work when the codes
   * are screened for a batch of items.
   */
  default void panelDotsMany(
      float[][] probes, int count, byte[] panels, int panelCount, int dim, float[][] outs) {
    for (int p = 0; p < count; p++) {
      panelDots(probes[p], 0, panels, panelCount, dim, outs[p]);
    }
  }

  /** Squared Euclidean distance between {@code a[aOff, aOff+len)} and {@code b[bOff, bOff+len)}. */
  float squaredDistance(float[] a, int aOff, float[] b, int bOff, int len);

  /** A short name for logs and benchmark output, e.g. {@code "scalar"} or {@code "vector-512"}. */
  String name();
}
