package io.simjoin.state.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel against a double-precision reference, and each kernel against itself: {@code dots}
 * row by row equal to {@code dot}, bit for bit.
 */
class DotKernelTest {
  private static final int MAX_LEN = 300;

  static Stream<DotKernel> kernels() {
    return Stream.of(new ScalarDotKernel(), new VectorDotKernel());
  }

  /** Float rounding differs between kernels; this bounds it for any summation order. */
  private static double tolerance(double sumAbsTerms) {
    return 1e-5 * sumAbsTerms + 1e-30;
  }

  /**
   * Random floats over a few orders of magnitude and both signs, so cancellation happens and the
   * tolerance, relative to the sum of |terms| rather than to the result, is what is tested.
   */
  private static float[] randomVector(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(-6, 7)));
    }
    return v;
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void dotMatchesDoubleReferenceForEveryLengthAndOffset(DotKernel kernel) {
    SplittableRandom random = new SplittableRandom(20240601L);
    for (int len = 0; len <= MAX_LEN; len++) {
      for (int trial = 0; trial < 3; trial++) {
        int aOff = random.nextInt(0, 40);
        int bOff = random.nextInt(0, 40);
        float[] a = randomVector(random, aOff + len + random.nextInt(0, 3));
        float[] b = randomVector(random, bOff + len + random.nextInt(0, 3));
        double exact = 0;
        double sumAbs = 0;
        for (int i = 0; i < len; i++) {
          double term = (double) a[aOff + i] * b[bOff + i];
          exact += term;
          sumAbs += Math.abs(term);
        }
        float actual = kernel.dot(a, aOff, b, bOff, len);
        assertThat((double) actual)
            .as("%s dot, len=%d aOff=%d bOff=%d", kernel.name(), len, aOff, bOff)
            .isCloseTo(exact, within(tolerance(sumAbs)));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void squaredDistanceMatchesDoubleReferenceForEveryLengthAndOffset(DotKernel kernel) {
    SplittableRandom random = new SplittableRandom(7);
    for (int len = 0; len <= MAX_LEN; len++) {
      int aOff = random.nextInt(0, 40);
      int bOff = random.nextInt(0, 40);
      float[] a = randomVector(random, aOff + len);
      float[] b = randomVector(random, bOff + len);
      double exact = 0;
      for (int i = 0; i < len; i++) {
        // The kernels subtract in float too; that rounding is the same in all of them.
        double d = a[aOff + i] - b[bOff + i];
        exact += d * d;
      }
      float actual = kernel.squaredDistance(a, aOff, b, bOff, len);
      assertThat((double) actual)
          .as("%s squaredDistance, len=%d", kernel.name(), len)
          .isCloseTo(exact, within(tolerance(exact)));
      assertThat(kernel.squaredDistance(a, aOff, a, aOff, len)).isZero();
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void dotsRowsAreBitIdenticalToDot(DotKernel kernel) {
    SplittableRandom random = new SplittableRandom(99);
    for (int dim = 0; dim <= MAX_LEN; dim++) {
      int count = random.nextInt(0, 6);
      int qOff = random.nextInt(0, 20);
      int blockOff = random.nextInt(0, 20);
      int outOff = random.nextInt(0, 5);
      float[] q = randomVector(random, qOff + dim);
      float[] block = randomVector(random, blockOff + count * dim + random.nextInt(0, 3));
      float[] out = new float[outOff + count + 1];
      out[outOff + count] = 12345f; // must not be written
      kernel.dots(q, qOff, block, blockOff, count, dim, out, outOff);
      for (int r = 0; r < count; r++) {
        float single = kernel.dot(q, qOff, block, blockOff + r * dim, dim);
        assertThat(Float.floatToRawIntBits(out[outOff + r]))
            .as("%s dots row %d of %d, dim=%d", kernel.name(), r, count, dim)
            .isEqualTo(Float.floatToRawIntBits(single));
      }
      assertThat(out[outOff + count]).isEqualTo(12345f);
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void commonDimensionsAgreeWithScalarOverManyRows(DotKernel kernel) {
    SplittableRandom random = new SplittableRandom(64128);
    DotKernel scalar = new ScalarDotKernel();
    for (int dim : new int[] {64, 128, 784}) {
      int count = 200;
      float[] q = randomVector(random, dim);
      float[] block = randomVector(random, count * dim);
      float[] out = new float[count];
      kernel.dots(q, 0, block, 0, count, dim, out, 0);
      for (int r = 0; r < count; r++) {
        double sumAbs = 0;
        for (int i = 0; i < dim; i++) {
          sumAbs += Math.abs((double) q[i] * block[r * dim + i]);
        }
        // Each kernel is within tolerance of the exact sum, so the two within twice that.
        assertThat((double) out[r])
            .isCloseTo(scalar.dot(q, 0, block, r * dim, dim), within(2 * tolerance(sumAbs)));
      }
    }
  }

  /**
   * The same call must give the same bits in the interpreter, C1 and C2: a kernel whose rounding
   * changed with the JIT tier would make dot() and dots() disagree depending on which one was hot.
   */
  @ParameterizedTest
  @MethodSource("kernels")
  void resultsDoNotChangeAsTheJitWarmsUp(DotKernel kernel) {
    SplittableRandom random = new SplittableRandom(3);
    int[] dims = {5, 64, 77, 128, 200};
    float[][] qs = new float[dims.length][];
    float[][] blocks = new float[dims.length][];
    int[] firstDot = new int[dims.length];
    int[] firstDistance = new int[dims.length];
    for (int j = 0; j < dims.length; j++) {
      qs[j] = randomVector(random, dims[j]);
      blocks[j] = randomVector(random, 2 * dims[j]);
      firstDot[j] = Float.floatToRawIntBits(kernel.dot(qs[j], 0, blocks[j], dims[j], dims[j]));
      firstDistance[j] =
          Float.floatToRawIntBits(kernel.squaredDistance(qs[j], 0, blocks[j], dims[j], dims[j]));
    }
    float[] out = new float[2];
    for (int iter = 0; iter < 30_000; iter++) {
      int j = iter % dims.length;
      int d = dims[j];
      assertThat(Float.floatToRawIntBits(kernel.dot(qs[j], 0, blocks[j], d, d)))
          .isEqualTo(firstDot[j]);
      assertThat(Float.floatToRawIntBits(kernel.squaredDistance(qs[j], 0, blocks[j], d, d)))
          .isEqualTo(firstDistance[j]);
      kernel.dots(qs[j], 0, blocks[j], 0, 2, d, out, 0);
      assertThat(Float.floatToRawIntBits(out[1])).isEqualTo(firstDot[j]);
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void smallIntegersGiveExactResults(DotKernel kernel) {
    // Every partial sum is an integer below 2^24, so no order of summation rounds.
    SplittableRandom random = new SplittableRandom(11);
    for (int len : new int[] {1, 2, 15, 16, 17, 63, 64, 65, 128, 257}) {
      float[] a = new float[len];
      float[] b = new float[len];
      long expectedDot = 0;
      long expectedDistance = 0;
      for (int i = 0; i < len; i++) {
        a[i] = random.nextInt(-100, 101);
        b[i] = random.nextInt(-100, 101);
        expectedDot += (long) a[i] * (long) b[i];
        expectedDistance += (long) (a[i] - b[i]) * (long) (a[i] - b[i]);
      }
      assertThat(kernel.dot(a, 0, b, 0, len)).isEqualTo((float) expectedDot);
      assertThat(kernel.squaredDistance(a, 0, b, 0, len)).isEqualTo((float) expectedDistance);
    }
  }

  /**
   * Signed zeros, subnormals and huge values: where a kernel's rounding or a lane-sum order could
   * differ between its own code paths, these show it first.
   */
  @ParameterizedTest
  @MethodSource("kernels")
  void awkwardValuesKeepDotsEqualToDotAndCloseToScalar(DotKernel kernel) {
    float[] awkward = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_NORMAL, 3e-39f, 1e18f, -1e18f};
    SplittableRandom random = new SplittableRandom(5);
    DotKernel scalar = new ScalarDotKernel();
    for (int dim = 0; dim <= 140; dim++) {
      int count = 3;
      float[] q = new float[dim];
      float[] block = new float[count * dim];
      for (int i = 0; i < q.length; i++) {
        q[i] = random.nextBoolean() ? awkward[random.nextInt(awkward.length)] : random.nextFloat();
      }
      for (int i = 0; i < block.length; i++) {
        block[i] = awkward[random.nextInt(awkward.length)];
      }
      float[] out = new float[count];
      kernel.dots(q, 0, block, 0, count, dim, out, 0);
      for (int r = 0; r < count; r++) {
        float single = kernel.dot(q, 0, block, r * dim, dim);
        assertThat(Float.floatToRawIntBits(out[r]))
            .as("%s dots row %d, dim=%d", kernel.name(), r, dim)
            .isEqualTo(Float.floatToRawIntBits(single));
        double sumAbs = 0;
        for (int i = 0; i < dim; i++) {
          sumAbs += Math.abs((double) q[i] * block[r * dim + i]);
        }
        assertThat((double) single)
            .isCloseTo(scalar.dot(q, 0, block, r * dim, dim), within(2 * tolerance(sumAbs)));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void nonFiniteInputsPropagate(DotKernel kernel) {
    for (int len : new int[] {1, 16, 64, 67}) {
      float[] a = new float[len];
      float[] b = new float[len];
      java.util.Arrays.fill(a, 1f);
      java.util.Arrays.fill(b, 1f);
      a[len - 1] = Float.NaN;
      assertThat(kernel.dot(a, 0, b, 0, len)).isNaN();
      a[len - 1] = Float.POSITIVE_INFINITY;
      assertThat(kernel.dot(a, 0, b, 0, len)).isEqualTo(Float.POSITIVE_INFINITY);
      assertThat(kernel.squaredDistance(a, 0, b, 0, len)).isEqualTo(Float.POSITIVE_INFINITY);
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void emptyRangesAtTheEndOfAnArrayAreAllowed(DotKernel kernel) {
    float[] a = {1f, 2f};
    assertThat(kernel.dot(a, 2, a, 2, 0)).isZero();
    assertThat(kernel.squaredDistance(a, 2, a, 0, 0)).isZero();
    kernel.dots(a, 2, a, 2, 5, 0, new float[5], 0);
    kernel.dots(a, 0, a, 2, 0, 2, new float[0], 0);
  }

  /**
   * The products with panels of codes differ from the exact ones by at most {@code 1.2e-7 · (dim +
   * 4)} of the sum of |terms|, the rounding margin the reverse search widens its screen by:
   * dimensions around the vector widths, one to three panels, every code value, offsets into the
   * query and a longer output array.
   */
  @ParameterizedTest
  @MethodSource("kernels")
  void panelDotsStayWithinTheRoundingMargin(DotKernel kernel) {
    SplittableRandom random = new SplittableRandom(20261126L);
    int w = DotKernel.PANEL;
    for (int dim : new int[] {0, 1, 3, 16, 17, 64, 100, 128, 300}) {
      for (int panelCount = 0; panelCount <= 3; panelCount++) {
        int qOff = random.nextInt(0, 10);
        float[] q = randomVector(random, qOff + dim);
        byte[] panels = new byte[panelCount * w * dim + random.nextInt(0, 5)];
        for (int i = 0; i < panels.length; i++) {
          panels[i] = (byte) random.nextInt(-128, 128);
        }
        float[] out = new float[panelCount * w + random.nextInt(0, 3)];
        kernel.panelDots(q, qOff, panels, panelCount, dim, out);
        for (int i = 0; i < panelCount * w; i++) {
          double exact = 0;
          double sumAbs = 0;
          for (int j = 0; j < dim; j++) {
            double term = (double) q[qOff + j] * panels[((i / w) * dim + j) * w + i % w];
            exact += term;
            sumAbs += Math.abs(term);
          }
          assertThat((double) out[i])
              .as("%s panelDots, dim=%d panels=%d point %d", kernel.name(), dim, panelCount, i)
              .isCloseTo(exact, within(1.2e-7 * (dim + 4) * sumAbs + 1e-30));
        }
      }
    }
  }

  /** Several probes at once give each probe's {@code panelDots}, bit for bit. */
  @ParameterizedTest
  @MethodSource("kernels")
  void panelDotsManyEqualsPanelDotsPerProbe(DotKernel kernel) {
    SplittableRandom random = new SplittableRandom(7);
    int w = DotKernel.PANEL;
    for (int dim : new int[] {1, 16, 64, 100}) {
      for (int count = 0; count <= 9; count++) {
        int panelCount = random.nextInt(1, 3);
        byte[] panels = new byte[panelCount * w * dim];
        for (int i = 0; i < panels.length; i++) {
          panels[i] = (byte) random.nextInt(-127, 128);
        }
        float[][] probes = new float[count][];
        float[][] outs = new float[count][];
        for (int p = 0; p < count; p++) {
          probes[p] = randomVector(random, dim);
          outs[p] = new float[panelCount * w];
        }
        kernel.panelDotsMany(probes, count, panels, panelCount, dim, outs);
        for (int p = 0; p < count; p++) {
          float[] one = new float[panelCount * w];
          kernel.panelDots(probes[p], 0, panels, panelCount, dim, one);
          assertThat(outs[p])
              .as("%s probe %d of %d, dim %d", kernel.name(), p, count, dim)
              .containsExactly(one);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void panelDotsRejectsOutOfRangeArgumentsBeforeAnyWork(DotKernel kernel) {
    int w = DotKernel.PANEL;
    float[] q = new float[8];
    float[] out = new float[2 * w];
    Arrays.fill(out, 42f);
    // two panels of 8 components need 2 × 8 × PANEL floats
    assertThatThrownBy(() -> kernel.panelDots(q, 0, new byte[16 * w - 1], 2, 8, out))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kernel.panelDots(q, 1, new byte[16 * w], 2, 8, out))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kernel.panelDots(q, 0, new byte[24 * w], 3, 8, out))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kernel.panelDots(q, 0, new byte[16 * w], -1, 8, out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(out).containsOnly(42f);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void outOfRangeArgumentsAreRejectedBeforeAnyWork(DotKernel kernel) {
    float[] a = new float[70];
    float[] b = new float[70];
    assertThatThrownBy(() -> kernel.dot(a, 10, b, 0, 64))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kernel.dot(a, 0, b, -1, 4))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kernel.squaredDistance(a, 0, b, 7, 64))
        .isInstanceOf(IndexOutOfBoundsException.class);
    float[] out = {42f, 42f};
    // Past offset 7 the block holds 63 floats, one short of two rows: nothing may be written.
    assertThatThrownBy(() -> kernel.dots(a, 0, b, 7, 2, 32, out, 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kernel.dots(a, 0, b, 0, 2, 32, out, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    // count * dim = 2^32 wraps to 0 in int arithmetic; the check must not be fooled.
    assertThatThrownBy(
            () -> kernel.dots(new float[1 << 12], 0, b, 0, 1 << 20, 1 << 12, new float[1 << 20], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> kernel.dots(a, 0, b, 0, -1, 4, out, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(out).containsExactly(42f, 42f);
  }

  @Test
  void vectorKernelIsNamedAfterItsWidth() {
    assertThat(new VectorDotKernel().name()).matches("vector-(128|256|512|1024|2048)");
    assertThat(new ScalarDotKernel().name()).isEqualTo("scalar");
  }
}
