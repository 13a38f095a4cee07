package io.simjoin.bench.data;

/**
 * {@code acc[accOff + t] += a * b[bOff + t]} for {@code t < len}: the inner step of the spectral
 * generator's matrix-vector product. Every lane is one float multiply and one float add, so the
 * Vector API path and the scalar path give the same bits and a data set does not depend on the
 * machine or the JVM flags it was generated with.
 *
 * <pre>{@code
 * Axpy.BEST.axpy(2f, row, 0, acc, 0, d);
 * }</pre>
 */
abstract class Axpy {
  static final Axpy SCALAR =
      new Axpy() {
        @Override
        void axpy(float a, float[] b, int bOff, float[] acc, int accOff, int len) {
          for (int t = 0; t < len; t++) {
            acc[accOff + t] += a * b[bOff + t];
          }
        }
      };

  // After SCALAR: choose() may return it, and static fields initialise in order.
  /** The Vector API implementation when {@code jdk.incubator.vector} is present, else scalar. */
  static final Axpy BEST = choose();

  abstract void axpy(float a, float[] b, int bOff, float[] acc, int accOff, int len);

  private static Axpy choose() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return SCALAR;
    }
    try {
      return new VectorAxpy();
    } catch (LinkageError | RuntimeException e) {
      return SCALAR;
    }
  }
}
