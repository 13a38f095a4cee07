package io.simjoin.state.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DotKernelsTest {

  /**
   * Surefire runs with {@code --add-modules jdk.incubator.vector} on an x86 or ARM JVM with C2, so
   * anything but the vector kernel here is a silent fallback that would cost the scan half its
   * speed.
   */
  @Test
  void bestIsTheVectorKernelWhenTheModuleIsPresent() {
    assertThat(ModuleLayer.boot().findModule("jdk.incubator.vector")).isPresent();
    assertThat(System.getProperty(DotKernels.KERNEL_PROPERTY)).isNull();
    assertThat(DotKernels.best()).isInstanceOf(VectorDotKernel.class);
    assertThat(DotKernels.best().name()).startsWith("vector-");
    assertThat(DotKernels.best()).isSameAs(DotKernels.best());
  }

  @Test
  void scalarIsAlwaysTheScalarKernel() {
    assertThat(DotKernels.scalar()).isInstanceOf(ScalarDotKernel.class);
    assertThat(DotKernels.scalar()).isSameAs(DotKernels.scalar());
  }

  @Test
  void vectorIsSelectedWhenEverythingIsInPlace() {
    DotKernels.Selection selection = DotKernels.select(null, true, null, VectorDotKernel::new);
    assertThat(selection.kernel()).isInstanceOf(VectorDotKernel.class);
    assertThat(selection.reason()).isNull();
    assertThat(selection.forced()).isFalse();
  }

  @Test
  void propertyForcesScalarWithoutLoadingTheVectorKernel() {
    DotKernels.Selection selection =
        DotKernels.select(
            " Scalar ",
            true,
            null,
            () -> {
              throw new AssertionError("must not be loaded");
            });
    assertThat(selection.kernel()).isSameAs(DotKernels.scalar());
    assertThat(selection.forced()).isTrue();
    assertThat(selection.reason()).contains("-Dsimjoin.kernel= Scalar ");
  }

  @Test
  void unknownPropertyValueIsIgnored() {
    DotKernels.Selection selection = DotKernels.select("avx", true, null, VectorDotKernel::new);
    assertThat(selection.kernel()).isInstanceOf(VectorDotKernel.class);
  }

  @Test
  void missingModuleFallsBackToScalarAndSaysHowToFixIt() {
    DotKernels.Selection selection =
        DotKernels.select(
            null,
            false,
            null,
            () -> {
              throw new AssertionError("must not be loaded");
            });
    assertThat(selection.kernel()).isSameAs(DotKernels.scalar());
    assertThat(selection.reason()).contains("--add-modules jdk.incubator.vector");
    assertThat(selection.forced()).isFalse();
  }

  @Test
  void missingC2FallsBackToScalar() {
    DotKernels.Selection selection =
        DotKernels.select(null, true, "C2 is off (-XX:TieredStopAtLevel=1)", VectorDotKernel::new);
    assertThat(selection.kernel()).isSameAs(DotKernels.scalar());
    assertThat(selection.reason()).contains("TieredStopAtLevel=1");
  }

  @Test
  void linkageErrorWhileLoadingFallsBackToScalar() {
    DotKernels.Selection selection =
        DotKernels.select(
            null,
            true,
            null,
            () -> {
              throw new NoClassDefFoundError("jdk/incubator/vector/FloatVector");
            });
    assertThat(selection.kernel()).isSameAs(DotKernels.scalar());
    assertThat(selection.reason()).contains("NoClassDefFoundError", "FloatVector");
  }

  /** The scalar kernel under another name; tests break one method of it. */
  private static class ScalarUnderAName implements DotKernel {
    private final DotKernel scalar = new ScalarDotKernel();
    private final String name;

    ScalarUnderAName(String name) {
      this.name = name;
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
      return scalar.dot(a, aOff, b, bOff, len);
    }

    @Override
    public void dots(
        float[] q, int qOff, float[] block, int blockOff, int count, int dim, float[] out, int o) {
      scalar.dots(q, qOff, block, blockOff, count, dim, out, o);
    }

    @Override
    public void panelDots(
        float[] q, int qOff, byte[] panels, int panelCount, int dim, float[] out) {
      scalar.panelDots(q, qOff, panels, panelCount, dim, out);
    }

    @Override
    public float squaredDistance(float[] a, int aOff, float[] b, int bOff, int len) {
      return scalar.squaredDistance(a, aOff, b, bOff, len);
    }

    @Override
    public String name() {
      return name;
    }
  }

  @Test
  void kernelThatDisagreesWithScalarIsRejected() {
    DotKernel broken =
        new ScalarUnderAName("broken") {
          @Override
          public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
            // Drops the last element, as a tail-handling bug would.
            return super.dot(a, aOff, b, bOff, Math.max(0, len - 1));
          }
        };
    DotKernels.Selection selection = DotKernels.select(null, true, null, () -> broken);
    assertThat(selection.kernel()).isSameAs(DotKernels.scalar());
    assertThat(selection.reason()).contains("broken", "dot of length 1");
  }

  @Test
  void kernelWithWrongPanelDotsIsRejected() {
    DotKernel broken =
        new ScalarUnderAName("broken-panels") {
          @Override
          public void panelDots(
              float[] q, int qOff, byte[] panels, int panelCount, int dim, float[] out) {
            // Only the first panel, as a loop-bound bug would.
            super.panelDots(q, qOff, panels, Math.min(1, panelCount), dim, out);
          }
        };
    DotKernels.Selection selection = DotKernels.select(null, true, null, () -> broken);
    assertThat(selection.kernel()).isSameAs(DotKernels.scalar());
    assertThat(selection.reason()).contains("broken-panels", "panelDots");
  }

  @Test
  void kernelThatThrowsDuringTheCheckIsRejected() {
    DotKernel throwing =
        new DotKernel() {
          @Override
          public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
            throw new NoClassDefFoundError("jdk/incubator/vector/FloatVector");
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
              int outOff) {}

          @Override
          public void panelDots(
              float[] q, int qOff, byte[] panels, int panelCount, int dim, float[] out) {}

          @Override
          public float squaredDistance(float[] a, int aOff, float[] b, int bOff, int len) {
            return 0;
          }

          @Override
          public String name() {
            return "throwing";
          }
        };
    DotKernels.Selection selection = DotKernels.select(null, true, null, () -> throwing);
    assertThat(selection.kernel()).isSameAs(DotKernels.scalar());
    assertThat(selection.reason()).contains("throwing", "NoClassDefFoundError");
  }

  @Test
  void bothRealKernelsPassTheStartupCheck() {
    assertThat(DotKernels.checkAgainstScalar(new VectorDotKernel())).isNull();
    assertThat(DotKernels.checkAgainstScalar(new ScalarDotKernel())).isNull();
  }

  @Test
  void theJitIsAvailableUnderSurefire() {
    assertThat(VmFlags.compilerBlocker()).isNull();
  }
}
