package io.simjoin.state.kernel;

/** Portable kernel: plain Java loops with independent accumulators so C2 can pipeline them. */
public final class ScalarDotKernel implements DotKernel {

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < len; i += 4) {
      s0 += a[aOff + i] * b[bOff + i];
      s1 += a[aOff + i + 1] * b[bOff + i + 1];
      s2 += a[aOff + i + 2] * b[bOff + i + 2];
      s3 += a[aOff + i + 3] * b[bOff + i + 3];
    }
    for (; i < len; i++) {
      s0 += a[aOff + i] * b[bOff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void dots(
      float[] q,
      int qOff,
      float[] block,
      int blockOff,
      int count,
      int dim,
      float[] out,
      int outOff) {
    for (int r = 0; r < count; r++) {
      out[outOff + r] = dot(q, qOff, block, blockOff + r * dim, dim);
    }
  }

  @Override
  public float squaredDistance(float[] a, int aOff, float[] b, int bOff, int len) {
    float s0 = 0, s1 = 0;
    int i = 0;
    for (; i + 1 < len; i += 2) {
      float d0 = a[aOff + i] - b[bOff + i];
      float d1 = a[aOff + i + 1] - b[bOff + i + 1];
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    for (; i < len; i++) {
      float d0 = a[aOff + i] - b[bOff + i];
      s0 += d0 * d0;
    }
    return s0 + s1;
  }

  @Override
  public String name() {
    return "scalar";
  }
}
