package io.simjoin.state.kernel;

/** Chooses the kernel once per JVM. */
public final class DotKernels {
  private static final DotKernel SCALAR = new ScalarDotKernel();

  private DotKernels() {}

  /** The fastest kernel this JVM supports. */
  public static DotKernel best() {
    return SCALAR;
  }

  /** The portable scalar kernel. */
  public static DotKernel scalar() {
    return SCALAR;
  }
}
