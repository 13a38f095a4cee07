package io.simjoin.bench.jmh;

import io.simjoin.bench.ExactScan;
import io.simjoin.bench.data.SyntheticData;
import io.simjoin.bench.data.SyntheticData.Kind;
import io.simjoin.bench.data.SyntheticData.Role;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.state.CoverTree;
import io.simjoin.state.HeapNodeStore;
import io.simjoin.state.Match;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One top-k query on a prebuilt tree, next to the exact scan over the same rows: the ratio of the
 * two scores is the speedup that {@code simjoin bench} reports, without its surrounding checks.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp jobs/target/simjoin.jar \
 *     org.openjdk.jmh.Main TreeSearchBenchmark -p kind=clustered
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g", "-XX:+UseParallelGC"})
public class TreeSearchBenchmark {
  private static final int QUERIES = 1000;

  @Param({"gauss", "clustered"})
  public String kind;

  @Param({"100000"})
  public int n;

  @Param({"64"})
  public int d;

  @Param({"10"})
  public int k;

  private CoverTree tree;
  private ExactScan scan;
  private float[][] queries;
  private int next;

  @Setup
  public void setUp() {
    Kind type = Kind.fromLabel(kind);
    VectorSet items = SyntheticData.generate(type, n, d, 1, Role.ITEMS);
    VectorSet qs = SyntheticData.generate(type, QUERIES, d, 1, Role.QUERIES);
    tree = CoverTree.builder(d).store(new HeapNodeStore()).build();
    for (int i = 0; i < n; i++) {
      tree.insert(Integer.toString(i), items.row(i));
    }
    scan = new ExactScan(items);
    queries = new float[QUERIES][];
    for (int i = 0; i < QUERIES; i++) {
      queries[i] = qs.row(i);
    }
  }

  private float[] nextQuery() {
    float[] q = queries[next];
    next = next + 1 == queries.length ? 0 : next + 1;
    return q;
  }

  @Benchmark
  public List<Match> tree() {
    return tree.topK(nextQuery(), k);
  }

  @Benchmark
  public ExactScan.Result scan() {
    return scan.topK(nextQuery(), k);
  }
}
