package io.simjoin.state.kernel;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the dot-product kernel once per JVM: the Vector API kernel where it can run, else the
 * portable scalar one.
 *
 * <pre>{@code
 * DotKernel kernel = DotKernels.best();
 * float[] scores = new float[rows];
 * kernel.dots(query, 0, items, 0, rows, dim, scores, 0);
 * }</pre>
 *
 * <p>{@link VectorDotKernel} needs {@code --add-modules jdk.incubator.vector} on the command line
 * (Java 17 keeps the Vector API in an incubator module), so it is loaded by name and any {@link
 * LinkageError} means "not available". It is then checked against the scalar kernel on a small
 * sample before it is trusted. Either way one log line says which kernel was chosen and, on a
 * fallback, why. Set the system property {@value #KERNEL_PROPERTY} to {@code scalar} to force the
 * scalar kernel, e.g. to rule the vector kernel out when chasing a numeric difference.
 */
public final class DotKernels {
  /** System property that forces a kernel; the only value it understands is {@code scalar}. */
  public static final String KERNEL_PROPERTY = "simjoin.kernel";

  static final String VECTOR_MODULE = "jdk.incubator.vector";
  static final String VECTOR_KERNEL_CLASS = "io.simjoin.state.kernel.VectorDotKernel";

  private static final Logger LOG = LoggerFactory.getLogger(DotKernels.class);
  private static final DotKernel SCALAR = new ScalarDotKernel();
  private static final DotKernel BEST;

  static {
    Selection selection =
        select(
            System.getProperty(KERNEL_PROPERTY),
            ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(),
            VmFlags.compilerBlocker(),
            DotKernels::loadVectorKernel);
    // One line either way, so a fallback is seen once and not repeated per operator instance.
    if (selection.reason() == null) {
      LOG.info("Dot-product kernel: {}", selection.kernel().name());
    } else if (selection.forced()) {
      LOG.info("Dot-product kernel: {} ({})", selection.kernel().name(), selection.reason());
    } else {
      LOG.warn("{}: falling back to scalar dot kernel", selection.reason());
    }
    BEST = selection.kernel();
  }

  private DotKernels() {}

  /** The fastest kernel this JVM supports, chosen when this class is initialised. */
  public static DotKernel best() {
    return BEST;
  }

  /** The portable scalar kernel. */
  public static DotKernel scalar() {
    return SCALAR;
  }

  /**
   * The kernel chosen and, when it is not the vector one, why not; {@code forced} when the reason
   * is the system property rather than something missing.
   */
  record Selection(DotKernel kernel, String reason, boolean forced) {
    static Selection vector(DotKernel kernel) {
      return new Selection(kernel, null, false);
    }

    static Selection fallback(String reason) {
      return new Selection(SCALAR, reason, false);
    }
  }

  /**
   * The selection itself, apart from the JVM state it reads, so tests can drive every branch.
   *
   * @param forced the value of {@value #KERNEL_PROPERTY}, or null
   * @param vectorModulePresent whether {@value #VECTOR_MODULE} is in the boot layer
   * @param compilerBlocker why the JIT cannot compile Vector API code, or null when it can
   * @param vectorKernel creates the vector kernel; may throw anything
   */
  static Selection select(
      String forced,
      boolean vectorModulePresent,
      String compilerBlocker,
      Supplier<DotKernel> vectorKernel) {
    if (forced != null && !forced.isBlank()) {
      if (forced.trim().equalsIgnoreCase("scalar")) {
        return new Selection(SCALAR, "forced by -D" + KERNEL_PROPERTY + "=" + forced, true);
      }
      // A typo must not silently pick a kernel: say what was understood.
      LOG.warn("Ignoring -D{}={}: the only value understood is 'scalar'", KERNEL_PROPERTY, forced);
    }
    if (!vectorModulePresent) {
      return Selection.fallback(
          "Vector API not available (run with --add-modules " + VECTOR_MODULE + ")");
    }
    if (compilerBlocker != null) {
      // Without C2 (or hardware FMA) every vector operation runs through the Java fallback, which
      // is tens of times slower than the scalar loop.
      return Selection.fallback("Vector API would not be compiled: " + compilerBlocker);
    }
    DotKernel vector;
    try {
      vector = vectorKernel.get();
    } catch (Throwable t) { // NoClassDefFoundError, UnsupportedOperationException, ...
      return Selection.fallback("Vector dot kernel could not be loaded: " + t);
    }
    String mismatch;
    try {
      mismatch = checkAgainstScalar(vector);
    } catch (Throwable t) { // e.g. a LinkageError only on first use of some vector operation
      mismatch = t.toString();
    }
    if (mismatch != null) {
      return Selection.fallback(
          "Vector dot kernel " + vector.name() + " failed its check: " + mismatch);
    }
    return Selection.vector(vector);
  }

  private static DotKernel loadVectorKernel() {
    try {
      return (DotKernel) Class.forName(VECTOR_KERNEL_CLASS).getDeclaredConstructor().newInstance();
    } catch (InvocationTargetException e) {
      // The constructor's own exception says why (e.g. too few lanes); pass it on unwrapped.
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Compares a kernel with the scalar one on a few lengths around the vector width, at odd offsets.
   * Cheap enough for class initialisation, and catches a kernel that is wrong on this CPU rather
   * than merely rounded differently.
   *
   * @return a description of the first disagreement, or null
   */
  static String checkAgainstScalar(DotKernel kernel) {
    SplittableRandom random = new SplittableRandom(0x5EEDL);
    int[] lengths = {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 128, 257};
    int rows = 3;
    for (int len : lengths) {
      float[] a = new float[len + 5];
      float[] b = new float[rows * len + 3];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) random.nextDouble(-1, 1);
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) random.nextDouble(-1, 1);
      }
      double bound = 0;
      for (int i = 0; i < len; i++) {
        bound += Math.abs((double) a[5 + i] * b[3 + i]);
      }
      double tolerance = 1e-5 * bound + 1e-30;
      float expected = SCALAR.dot(a, 5, b, 3, len);
      float actual = kernel.dot(a, 5, b, 3, len);
      if (!(Math.abs(actual - expected) <= tolerance)) {
        return "dot of length " + len + " gave " + actual + ", scalar " + expected;
      }
      float expectedDistance = SCALAR.squaredDistance(a, 5, b, 3, len);
      float actualDistance = kernel.squaredDistance(a, 5, b, 3, len);
      if (!(Math.abs(actualDistance - expectedDistance) <= 1e-5 * expectedDistance + 1e-30)) {
        return "squaredDistance of length "
            + len
            + " gave "
            + actualDistance
            + ", scalar "
            + expectedDistance;
      }
      float[] out = new float[rows + 1];
      kernel.dots(a, 5, b, 3, rows, len, out, 1);
      for (int r = 0; r < rows; r++) {
        float single = kernel.dot(a, 5, b, 3 + r * len, len);
        if (Float.floatToRawIntBits(out[1 + r]) != Float.floatToRawIntBits(single)) {
          return "dots row " + r + " of length " + len + " gave " + out[1 + r] + ", dot " + single;
        }
      }
      String panels = checkPanelDots(kernel, a, len);
      if (panels != null) {
        return panels;
      }
    }
    return null;
  }

  /** Two panels of codes of {@code len} components. */
  private static String checkPanelDots(DotKernel kernel, float[] a, int len) {
    int points = 2 * DotKernel.PANEL;
    byte[] panels = new byte[points * len];
    float[] rows = new float[points * len];
    for (int i = 0; i < points; i++) {
      for (int j = 0; j < len; j++) {
        byte c = (byte) ((i * 37 + j * 11) % 255 - 127);
        panels[((i / DotKernel.PANEL) * len + j) * DotKernel.PANEL + i % DotKernel.PANEL] = c;
        rows[i * len + j] = c;
      }
    }
    float[] out = new float[points];
    kernel.panelDots(a, 5, panels, 2, len, out);
    // five probes at once (a group of four and one more): each as panelDots gives it
    float[][] probes = new float[5][];
    float[][] outs = new float[5][];
    for (int p = 0; p < 5; p++) {
      probes[p] = Arrays.copyOfRange(a, 5, 5 + len);
      outs[p] = new float[points];
    }
    kernel.panelDotsMany(probes, 5, panels, 2, len, outs);
    for (int p = 0; p < 5; p++) {
      if (!Arrays.equals(outs[p], out)) {
        return "panelDotsMany probe " + p + " of length " + len + " differs from panelDots";
      }
    }
    for (int i = 0; i < points; i++) {
      float expected = SCALAR.dot(a, 5, rows, i * len, len);
      double bound = 0;
      for (int j = 0; j < len; j++) {
        bound += Math.abs((double) a[5 + j] * rows[i * len + j]);
      }
      if (!(Math.abs(out[i] - expected) <= 1e-5 * bound + 1e-30)) {
        return "panelDots point "
            + i
            + " of length "
            + len
            + " gave "
            + out[i]
            + ", dot "
            + expected;
      }
    }
    return null;
  }
}
