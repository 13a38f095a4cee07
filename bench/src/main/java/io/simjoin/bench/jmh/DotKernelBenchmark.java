package io.simjoin.bench.jmh;

import io.simjoin.state.kernel.DotKernel;
import io.simjoin.state.kernel.DotKernels;
import io.simjoin.state.kernel.VectorDotKernel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scalar against vector dot-product kernels, one pair at a time ({@code dot}, both vectors in L1:
 * the kernel's latency) and one query against a block of {@value #ROWS} stored rows ({@code dots}:
 * the scan rate the indexes are measured against), and the same rows as 8-bit codes in panels of
 * {@link DotKernel#PANEL} ({@code panelDots}, as the reverse search screens a bucket of standing
 * queries).
 *
 * <p>At d = 784 the {@value #ROWS}-row block (3 MiB) no longer fits in L2, so {@code dots} there
 * measures memory bandwidth more than arithmetic. A quick run:
 *
 * <pre>{@code
 * mvn -q -pl state,bench package dependency:build-classpath -DskipTests \
 *     -Dmdep.outputFile=target/cp.txt
 * CP=bench/target/classes:$(cat bench/target/cp.txt)
 * java --add-modules jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main DotKernelBenchmark \
 *     -f 1 -wi 2 -i 3 -w 1s -r 1s
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// The forked JVM needs the incubator module, or the vector kernel cannot even be loaded.
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class DotKernelBenchmark {
  static final int ROWS = 1024;

  /** Probes screened together in {@link #panelDotsMany}. */
  static final int PROBES = 8;

  /** Rows {@link #dot} cycles through: 8 rows of 784 floats still fit in a 48 KiB L1. */
  static final int HOT_ROWS = 8;

  @Param({"scalar", "vector"})
  public String kernel;

  @Param({"64", "128", "784"})
  public int dim;

  private DotKernel k;
  private float[] query;
  private float[] block;
  private float[] scores;
  private byte[] panels;
  private float[][] probes;
  private float[][] probeScores;
  private int hotRow;

  @Setup(Level.Trial)
  public void setUp() {
    k =
        switch (kernel) {
          case "scalar" -> DotKernels.scalar();
          // Named directly, not through DotKernels.best(): a silent fallback would otherwise
          // report scalar numbers as vector ones.
          case "vector" -> new VectorDotKernel();
          default -> throw new IllegalArgumentException("unknown kernel: " + kernel);
        };
    SplittableRandom random = new SplittableRandom(42);
    query = new float[dim];
    for (int i = 0; i < dim; i++) {
      query[i] = (float) random.nextGaussian();
    }
    block = new float[ROWS * dim];
    for (int i = 0; i < block.length; i++) {
      block[i] = (float) random.nextGaussian();
    }
    scores = new float[ROWS];
    // codes of the same rows, as a bucket quantizes them (one scale, here the block's)
    float maxAbs = 0;
    for (float x : block) {
      maxAbs = Math.max(maxAbs, Math.abs(x));
    }
    probes = new float[PROBES][dim];
    probeScores = new float[PROBES][ROWS];
    for (float[] p : probes) {
      for (int i = 0; i < dim; i++) {
        p[i] = (float) random.nextGaussian();
      }
    }
    panels = new byte[ROWS * dim];
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < dim; j++) {
        panels[((i / DotKernel.PANEL) * dim + j) * DotKernel.PANEL + i % DotKernel.PANEL] =
            (byte) Math.round(block[i * dim + j] * 127 / maxAbs);
      }
    }
  }

  /**
   * One inner product with one of the first {@value #HOT_ROWS} rows, so both operands stay in L1.
   * The row changes on every call so that C2 cannot treat the operands as loop invariants of JMH's
   * measurement loop, as it could not in a real search either.
   */
  @Benchmark
  public float dot() {
    int row = hotRow;
    hotRow = (row + 1) & (HOT_ROWS - 1);
    return k.dot(query, 0, block, row * dim, dim);
  }

  /** One query against {@value #ROWS} rows; divide by {@value #ROWS} for the time per row. */
  @Benchmark
  public float[] dots() {
    k.dots(query, 0, block, 0, ROWS, dim, scores, 0);
    return scores;
  }

  /**
   * The same codes screened for {@value #PROBES} probes at once, as a batch of items is screened
   * against a bucket; divide by {@value #ROWS} × {@value #PROBES} for the time per row and probe.
   */
  @Benchmark
  public float[][] panelDotsMany() {
    k.panelDotsMany(probes, PROBES, panels, ROWS / DotKernel.PANEL, dim, probeScores);
    return probeScores;
  }

  /** The same {@value #ROWS} rows as codes; divide by {@value #ROWS} for the time per row. */
  @Benchmark
  public float[] panelDots() {
    k.panelDots(query, 0, panels, ROWS / DotKernel.PANEL, dim, scores);
    return scores;
  }
}
