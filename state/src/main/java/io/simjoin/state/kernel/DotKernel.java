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

  /** Squared Euclidean distance between {@code a[aOff, aOff+len)} and {@code b[bOff, bOff+len)}. */
  float squaredDistance(float[] a, int aOff, float[] b, int bOff, int len);

  /** A short name for logs and benchmark output, e.g. {@code "scalar"} or {@code "vector-512"}. */
  String name();
}
