package io.simjoin.state.kernel;

import java.util.Arrays;
import java.util.Objects;

/**
 * Portable kernel in plain Java, for JVMs without the Vector API and as the reference the vector
 * kernel is checked against.
 *
 * <p>C2 does not vectorise a float reduction by itself (it may not reorder float additions), so the
 * loops carry eight independent accumulators: that hides the add latency and lets two loads and one
 * multiply-add issue per cycle. Java forbids fusing {@code s += a * b} into one FMA, so the result
 * is the same in the interpreter and in compiled code.
 *
 * <pre>{@code
 * DotKernel kernel = DotKernels.scalar();
 * float score = kernel.dot(query, 0, items, row * dim, dim);
 * }</pre>
 */
public final class ScalarDotKernel implements DotKernel {

  @Override
  public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    Objects.checkFromIndexSize(aOff, len, a.length);
    Objects.checkFromIndexSize(bOff, len, b.length);
    return dotUnchecked(a, aOff, b, bOff, len);
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
    KernelChecks.checkDots(q, qOff, block, blockOff, count, dim, out, outOff);
    // The same per-row code as dot(), so row r is bit-identical to dot() on that row.
    for (int r = 0, rowOff = blockOff; r < count; r++, rowOff += dim) {
      out[outOff + r] = dotUnchecked(q, qOff, block, rowOff, dim);
    }
  }

  @Override
  public void panelDots(float[] q, int qOff, byte[] panels, int panelCount, int dim, float[] out) {
    KernelChecks.checkPanelDots(q, qOff, panels, panelCount, dim, out);
    for (int p = 0, base = 0; p < panelCount; p++, base += dim * PANEL) {
      int o = p * PANEL;
      Arrays.fill(out, o, o + PANEL, 0f);
      for (int j = 0; j < dim; j++) {
        float x = q[qOff + j];
        int off = base + j * PANEL;
        for (int i = 0; i < PANEL; i++) {
          out[o + i] += x * panels[off + i];
        }
      }
    }
  }

  private static float dotUnchecked(float[] a, int aOff, float[] b, int bOff, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (int bound = len & ~7; i < bound; i += 8) {
      int ai = aOff + i;
      int bi = bOff + i;
      s0 += a[ai] * b[bi];
      s1 += a[ai + 1] * b[bi + 1];
      s2 += a[ai + 2] * b[bi + 2];
      s3 += a[ai + 3] * b[bi + 3];
      s4 += a[ai + 4] * b[bi + 4];
      s5 += a[ai + 5] * b[bi + 5];
      s6 += a[ai + 6] * b[bi + 6];
      s7 += a[ai + 7] * b[bi + 7];
    }
    for (; i < len; i++) {
      s0 += a[aOff + i] * b[bOff + i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  @Override
  public float squaredDistance(float[] a, int aOff, float[] b, int bOff, int len) {
    Objects.checkFromIndexSize(aOff, len, a.length);
    Objects.checkFromIndexSize(bOff, len, b.length);
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (int bound = len & ~7; i < bound; i += 8) {
      int ai = aOff + i;
      int bi = bOff + i;
      float d0 = a[ai] - b[bi];
      float d1 = a[ai + 1] - b[bi + 1];
      float d2 = a[ai + 2] - b[bi + 2];
      float d3 = a[ai + 3] - b[bi + 3];
      float d4 = a[ai + 4] - b[bi + 4];
      float d5 = a[ai + 5] - b[bi + 5];
      float d6 = a[ai + 6] - b[bi + 6];
      float d7 = a[ai + 7] - b[bi + 7];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
      s4 += d4 * d4;
      s5 += d5 * d5;
      s6 += d6 * d6;
      s7 += d7 * d7;
    }
    for (; i < len; i++) {
      float d = a[aOff + i] - b[bOff + i];
      s0 += d * d;
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  @Override
  public String name() {
    return "scalar";
  }
}
