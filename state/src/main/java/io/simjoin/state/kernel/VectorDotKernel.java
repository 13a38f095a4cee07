package io.simjoin.state.kernel;

import java.util.Objects;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernel on the incubating Vector API ({@code jdk.incubator.vector}), using the widest float
 * vectors the CPU has ({@link FloatVector#SPECIES_PREFERRED}: 16 lanes with AVX-512, 8 with AVX2).
 *
 * <p>Only usable on a JVM started with {@code --add-modules jdk.incubator.vector}; loading this
 * class without the module fails with a {@link LinkageError}. Callers should not name it but take
 * {@link DotKernels#best()}, which loads it reflectively, checks it against the scalar kernel and
 * falls back to {@link ScalarDotKernel} when it cannot be used:
 *
 * <pre>{@code
 * DotKernel kernel = DotKernels.best(); // "vector-512" on AVX-512 when the module is present
 * kernel.dots(query, 0, block, 0, rows, dim, scores, 0);
 * }</pre>
 *
 * <p>{@link #dots} runs the same per-row code as {@link #dot}, so row {@code i} equals {@code dot}
 * on that row bit for bit. That also needs each result to be the same at every JIT tier: the
 * lane-wise {@code fma} and {@code add} are exact IEEE operations everywhere, and for the final
 * {@code reduceLanes(ADD)} both Java 17's C2 intrinsic and its interpreter fallback add the lanes
 * one by one in lane order, starting from 0. The API does not promise that order, so {@code
 * DotKernelTest} checks that results do not change as the JIT warms up. The sums are rounded in a
 * different order than the scalar kernel's, so the two kernels agree only to float rounding.
 */
public final class VectorDotKernel implements DotKernel {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();

  /** Bytes in the same number of lanes as {@link #SPECIES}. */
  private static final VectorSpecies<Byte> CODES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(L * Byte.SIZE));

  private final String name;

  /**
   * Creates the kernel for this JVM's preferred float species.
   *
   * @throws UnsupportedOperationException if that species has fewer than 4 lanes (too narrow to
   *     beat the scalar loop) or a lane count that is not a power of two (the loop bounds are
   *     computed with masks); {@link DotKernels#best()} then logs the message and uses the scalar
   *     kernel
   */
  public VectorDotKernel() {
    if (L < 4 || Integer.bitCount(L) != 1 || PANEL % (4 * L) != 0) {
      throw new UnsupportedOperationException(
          "preferred float vector has "
              + L
              + " lanes ("
              + SPECIES.vectorBitSize()
              + " bits); the vector kernel needs a power of two, at least 4 and at most PANEL / 4");
    }
    this.name = "vector-" + SPECIES.vectorBitSize();
  }

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
      // Four vectors of lanes at a time (the whole panel with AVX-512): four independent FMA
      // chains, each lane one point.
      for (int lane = 0; lane < PANEL; lane += 4 * L) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        FloatVector acc2 = FloatVector.zero(SPECIES);
        FloatVector acc3 = FloatVector.zero(SPECIES);
        int from = base + lane;
        for (int j = 0; j < dim; j++) {
          FloatVector x = FloatVector.broadcast(SPECIES, q[qOff + j]);
          int off = from + j * PANEL;
          acc0 = loadCodes(panels, off).fma(x, acc0);
          acc1 = loadCodes(panels, off + L).fma(x, acc1);
          acc2 = loadCodes(panels, off + 2 * L).fma(x, acc2);
          acc3 = loadCodes(panels, off + 3 * L).fma(x, acc3);
        }
        int o = p * PANEL + lane;
        acc0.intoArray(out, o);
        acc1.intoArray(out, o + L);
        acc2.intoArray(out, o + 2 * L);
        acc3.intoArray(out, o + 3 * L);
      }
    }
  }

  /**
   * Four probes at a time: each code vector is loaded and widened once for all four, and the lanes
   * of each probe add up in the same order as in {@link #panelDots}, so the results are the same.
   */
  @Override
  public void panelDotsMany(
      float[][] probes, int count, byte[] panels, int panelCount, int dim, float[][] outs) {
    int p = 0;
    for (; p + 4 <= count; p += 4) {
      for (int i = p; i < p + 4; i++) {
        KernelChecks.checkPanelDots(probes[i], 0, panels, panelCount, dim, outs[i]);
      }
      panelDots4(
          probes[p], probes[p + 1], probes[p + 2], probes[p + 3], panels, panelCount, dim, outs, p);
    }
    for (; p < count; p++) {
      panelDots(probes[p], 0, panels, panelCount, dim, outs[p]);
    }
  }

  private static void panelDots4(
      float[] q0,
      float[] q1,
      float[] q2,
      float[] q3,
      byte[] panels,
      int panelCount,
      int dim,
      float[][] outs,
      int first) {
    for (int p = 0, base = 0; p < panelCount; p++, base += dim * PANEL) {
      for (int lane = 0; lane < PANEL; lane += 2 * L) {
        // two vectors of lanes for four probes: eight chains, each code widened once
        FloatVector a00 = FloatVector.zero(SPECIES);
        FloatVector a01 = FloatVector.zero(SPECIES);
        FloatVector a10 = FloatVector.zero(SPECIES);
        FloatVector a11 = FloatVector.zero(SPECIES);
        FloatVector a20 = FloatVector.zero(SPECIES);
        FloatVector a21 = FloatVector.zero(SPECIES);
        FloatVector a30 = FloatVector.zero(SPECIES);
        FloatVector a31 = FloatVector.zero(SPECIES);
        int from = base + lane;
        for (int j = 0; j < dim; j++) {
          int off = from + j * PANEL;
          FloatVector c0 = loadCodes(panels, off);
          FloatVector c1 = loadCodes(panels, off + L);
          FloatVector x0 = FloatVector.broadcast(SPECIES, q0[j]);
          FloatVector x1 = FloatVector.broadcast(SPECIES, q1[j]);
          FloatVector x2 = FloatVector.broadcast(SPECIES, q2[j]);
          FloatVector x3 = FloatVector.broadcast(SPECIES, q3[j]);
          a00 = c0.fma(x0, a00);
          a01 = c1.fma(x0, a01);
          a10 = c0.fma(x1, a10);
          a11 = c1.fma(x1, a11);
          a20 = c0.fma(x2, a20);
          a21 = c1.fma(x2, a21);
          a30 = c0.fma(x3, a30);
          a31 = c1.fma(x3, a31);
        }
        int o = p * PANEL + lane;
        a00.intoArray(outs[first], o);
        a01.intoArray(outs[first], o + L);
        a10.intoArray(outs[first + 1], o);
        a11.intoArray(outs[first + 1], o + L);
        a20.intoArray(outs[first + 2], o);
        a21.intoArray(outs[first + 2], o + L);
        a30.intoArray(outs[first + 3], o);
        a31.intoArray(outs[first + 3], o + L);
      }
    }
  }

  private static float dotUnchecked(float[] a, int aOff, float[] b, int bOff, int len) {
    int i = 0;
    float sum = 0;
    if (len >= L) {
      // Four accumulators: one FMA chain would wait on the FMA latency (4 cycles) for every
      // vector, while the loads allow about one FMA per cycle.
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      for (int bound = len & -(4 * L); i < bound; i += 4 * L) {
        acc0 = load(a, aOff + i).fma(load(b, bOff + i), acc0);
        acc1 = load(a, aOff + i + L).fma(load(b, bOff + i + L), acc1);
        acc2 = load(a, aOff + i + 2 * L).fma(load(b, bOff + i + 2 * L), acc2);
        acc3 = load(a, aOff + i + 3 * L).fma(load(b, bOff + i + 3 * L), acc3);
      }
      for (int bound = len & -L; i < bound; i += L) {
        acc0 = load(a, aOff + i).fma(load(b, bOff + i), acc0);
      }
      sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)));
    }
    if (i < len) {
      // A scalar tail rather than a masked load: on Java 17 a masked load that reaches past the
      // end of the array leaves the intrinsic and runs lane by lane, far slower than this loop.
      sum += scalarDotTail(a, aOff, b, bOff, i, len);
    }
    return sum;
  }

  private static float scalarDotTail(float[] a, int aOff, float[] b, int bOff, int i, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
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
  public float squaredDistance(float[] a, int aOff, float[] b, int bOff, int len) {
    Objects.checkFromIndexSize(aOff, len, a.length);
    Objects.checkFromIndexSize(bOff, len, b.length);
    int i = 0;
    float sum = 0;
    if (len >= L) {
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      for (int bound = len & -(4 * L); i < bound; i += 4 * L) {
        FloatVector d0 = load(a, aOff + i).sub(load(b, bOff + i));
        FloatVector d1 = load(a, aOff + i + L).sub(load(b, bOff + i + L));
        FloatVector d2 = load(a, aOff + i + 2 * L).sub(load(b, bOff + i + 2 * L));
        FloatVector d3 = load(a, aOff + i + 3 * L).sub(load(b, bOff + i + 3 * L));
        acc0 = d0.fma(d0, acc0);
        acc1 = d1.fma(d1, acc1);
        acc2 = d2.fma(d2, acc2);
        acc3 = d3.fma(d3, acc3);
      }
      for (int bound = len & -L; i < bound; i += L) {
        FloatVector d = load(a, aOff + i).sub(load(b, bOff + i));
        acc0 = d.fma(d, acc0);
      }
      sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)));
    }
    if (i < len) {
      float s0 = 0, s1 = 0;
      for (; i + 1 < len; i += 2) {
        float d0 = a[aOff + i] - b[bOff + i];
        float d1 = a[aOff + i + 1] - b[bOff + i + 1];
        s0 += d0 * d0;
        s1 += d1 * d1;
      }
      if (i < len) {
        float d = a[aOff + i] - b[bOff + i];
        s0 += d * d;
      }
      sum += s0 + s1;
    }
    return sum;
  }

  private static FloatVector load(float[] array, int offset) {
    return FloatVector.fromArray(SPECIES, array, offset);
  }

  /** {@link #L} codes widened to floats: one sign-extending load and convert on AVX-512. */
  private static FloatVector loadCodes(byte[] array, int offset) {
    return (FloatVector) ByteVector.fromArray(CODES, array, offset).castShape(SPECIES, 0);
  }

  /**
   * The sum of the lanes. Not a tree of shuffles, though that would have a shorter dependency
   * chain: on Java 17 a {@code rearrange} brings bounds checks on the shuffle, and in some call
   * sites C2 then boxed the vectors (measured in JMH: 96 bytes allocated per {@code dot}). Nor
   * {@code lane(i)} extracts added as a tree: each lane makes a round trip through a general
   * register, and {@code dots} at d = 64 took 17 ns per row instead of 10.
   */
  private static float sumLanes(FloatVector v) {
    return v.reduceLanes(VectorOperators.ADD);
  }

  @Override
  public String name() {
    return name;
  }
}
