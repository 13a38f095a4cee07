package io.simjoin.state.kernel;

import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a kernel's entry points until the JIT has compiled them, once per JVM: until C2 compiles
 * Vector API code, every vector operation runs through the API's Java fallback, tens of times
 * slower than the scalar loop. Left to the records, that is the first second or two of a job, when
 * a young index makes every item touch every standing query. An operator calls {@link #warmUp} in
 * {@code open()}, before records flow.
 *
 * <pre>{@code
 * public void open() {
 *   KernelWarmUp.warmUp(DotKernels.best()); // at once after the first call in this JVM
 * }
 * }</pre>
 *
 * <p>The JIT cannot be asked whether it is done, so each entry point is called in rounds, each
 * timed against the same calls to the scalar kernel: compiled, the vector kernel is faster; in the
 * fallback, ten times slower or more. The warm-up ends when every entry point has taken at most
 * twice the scalar time for {@link #FAST_ROUNDS} rounds in a row, after {@link #MAX_ROUNDS} rounds,
 * or after {@link #MAX_MILLIS} ms, whichever comes first. On a machine with the CPUs to spare it
 * takes about two seconds, mostly waiting for the compiler. The scalar kernel is not warmed: C1
 * compiles it within its first few hundred calls.
 */
public final class KernelWarmUp {
  static final int CALLS_PER_ROUND = 20;
  static final int MAX_ROUNDS = 400;
  static final long MAX_MILLIS = 5_000;
  static final int FAST_ROUNDS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(KernelWarmUp.class);
  private static boolean warm;
  // where the results go, so the JIT cannot drop the calls
  private static volatile float sink;

  private KernelWarmUp() {}

  /**
   * Warms {@code kernel} unless a kernel was warmed before in this JVM or it is not a vector one.
   */
  public static synchronized void warmUp(DotKernel kernel) {
    if (warm || !(kernel instanceof VectorDotKernel)) {
      return;
    }
    warm = true;
    long start = System.nanoTime();
    Result r = run(kernel, MAX_ROUNDS, MAX_MILLIS);
    LOG.info(
        "Warmed the {} kernel in {} ms ({} rounds{})",
        kernel.name(),
        (System.nanoTime() - start) / 1_000_000,
        r.rounds(),
        r.compiled() ? "" : ", stopped before it ran compiled");
  }

  /** How a warm-up went: rounds run, and whether the last ones ran at compiled speed. */
  record Result(int rounds, boolean compiled) {}

  /** The warm-up itself, with its limits as arguments so tests can run it briefly. */
  static Result run(DotKernel kernel, int maxRounds, long maxMillis) {
    Shapes s = new Shapes();
    long deadline = System.nanoTime() + maxMillis * 1_000_000;
    // per entry point: how many rounds in a row it ran at scalar speed or better
    int[] fast = new int[Shapes.ENTRY_POINTS];
    DotKernel scalar = DotKernels.scalar();
    int rounds = 0;
    boolean compiled = false;
    while (!compiled && rounds < maxRounds && System.nanoTime() < deadline) {
      compiled = true;
      for (int e = 0; e < Shapes.ENTRY_POINTS; e++) {
        long took = s.round(kernel, e);
        // compiled it is faster than scalar, in the fallback ten times slower or more: twice
        // the scalar time tells them apart through the noise of rounds this short
        if (took <= 2 * s.round(scalar, e)) {
          fast[e]++;
        } else {
          fast[e] = 0;
        }
        compiled &= fast[e] >= FAST_ROUNDS;
      }
      rounds++;
    }
    sink = s.sink;
    return new Result(rounds, compiled);
  }

  /**
   * Arguments of the shapes the trees use: dims on and off the vector width, one and two panels,
   * full and partial groups of probes.
   */
  private static final class Shapes {
    static final int ENTRY_POINTS = 5;
    private static final int[] DIMS = {64, 100};
    private final float[][] vectors = new float[8][];
    private final float[] rows = new float[32 * 100];
    private final byte[] panels = new byte[2 * DotKernel.PANEL * 100];
    private final float[] out = new float[2 * DotKernel.PANEL];
    private final float[][] outs = new float[8][2 * DotKernel.PANEL];
    private float sink;

    Shapes() {
      SplittableRandom random = new SplittableRandom(0x3A4DL);
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = new float[100];
        for (int j = 0; j < 100; j++) {
          vectors[i][j] = (float) random.nextDouble(-1, 1);
        }
      }
      for (int i = 0; i < rows.length; i++) {
        rows[i] = (float) random.nextDouble(-1, 1);
      }
      random.nextBytes(panels);
    }

    /** Nanoseconds for a round of calls to entry point {@code e}. */
    long round(DotKernel kernel, int e) {
      long t = System.nanoTime();
      for (int c = 0; c < CALLS_PER_ROUND; c++) {
        call(kernel, e, c);
      }
      return System.nanoTime() - t;
    }

    /** Call {@code c} of a round to entry point {@code e}. */
    void call(DotKernel kernel, int e, int c) {
      int dim = DIMS[c % DIMS.length];
      int panelCount = 1 + (c / 2) % 2;
      float[] q = vectors[c % vectors.length];
      switch (e) {
        case 0 -> sink += kernel.dot(q, 0, rows, c % 16, dim);
        case 1 -> sink += kernel.squaredDistance(q, 0, rows, c % 16, dim);
        case 2 -> kernel.dots(q, 0, rows, 0, 32, dim, out, 0);
        case 3 -> kernel.panelDots(q, 0, panels, panelCount, dim, out);
        default -> kernel.panelDotsMany(vectors, 5 + c % 4, panels, panelCount, dim, outs);
      }
      sink += out[c % out.length] + outs[c % 8][c % out.length];
    }
  }
}
