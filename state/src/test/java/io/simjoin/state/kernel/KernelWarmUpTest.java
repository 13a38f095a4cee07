package io.simjoin.state.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KernelWarmUpTest {

  @Test
  void stopsAtItsLimits() {
    // fewer rounds than it takes to see compiled speed for long enough: the round limit ends it
    int rounds = KernelWarmUp.FAST_ROUNDS - 1;
    assertThat(KernelWarmUp.run(DotKernels.best(), rounds, 60_000))
        .isEqualTo(new KernelWarmUp.Result(rounds, false));
    assertThat(KernelWarmUp.run(DotKernels.best(), 1_000_000, 0).rounds()).isZero();
  }

  @Test
  void leavesTheKernelGivingWhatItGaveBefore() {
    DotKernel kernel = DotKernels.best();
    float[] a = new float[100];
    float[] b = new float[100];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) Math.sin(i);
      b[i] = (float) Math.cos(3 * i);
    }
    float before = kernel.dot(a, 0, b, 0, a.length);
    KernelWarmUp.warmUp(kernel);
    KernelWarmUp.warmUp(kernel); // a second call returns at once
    assertThat(kernel.dot(a, 0, b, 0, a.length)).isEqualTo(before);
    assertThat(DotKernels.checkAgainstScalar(kernel)).isNull();
  }
}
