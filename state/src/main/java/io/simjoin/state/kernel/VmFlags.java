package io.simjoin.state.kernel;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Reads the HotSpot flags that decide whether Vector API code gets compiled to SIMD instructions.
 *
 * <p>The Vector API only pays off once C2 has intrinsified it; the interpreter, C1, and C2 without
 * hardware FMA run each lane through boxed Java fallbacks, far slower than the scalar loop. Lucene
 * refuses its vector provider in the same situations.
 */
final class VmFlags {
  private VmFlags() {}

  /**
   * Why this JVM would not compile Vector API code well, or null if nothing stands in the way (or
   * the flags cannot be read, e.g. on a JVM other than HotSpot: then the kernel is given a chance).
   */
  static String compilerBlocker() {
    try {
      HotSpotDiagnosticMXBean vm =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (vm == null) {
        return null;
      }
      if ("false".equals(flag(vm, "UseCompiler"))) {
        return "the JIT compiler is off (-Xint)";
      }
      String stopAt = flag(vm, "TieredStopAtLevel");
      if ("true".equals(flag(vm, "TieredCompilation"))
          && stopAt != null
          && Integer.parseInt(stopAt) < 4) {
        return "C2 is off (-XX:TieredStopAtLevel=" + stopAt + ")";
      }
      if ("false".equals(flag(vm, "UseFMA"))) {
        return "no hardware FMA (UseFMA is false)";
      }
      return null;
    } catch (Throwable t) { // no jdk.management module, a renamed flag, a security manager, ...
      return null;
    }
  }

  private static String flag(HotSpotDiagnosticMXBean vm, String name) {
    try {
      return vm.getVMOption(name).getValue();
    } catch (IllegalArgumentException unknownFlag) {
      return null;
    }
  }
}
