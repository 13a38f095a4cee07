package io.simjoin.bench.jmh;

import io.simjoin.bench.data.SyntheticData;
import io.simjoin.bench.data.SyntheticData.Kind;
import io.simjoin.bench.data.SyntheticData.Role;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.state.CoverTree;
import io.simjoin.state.HeapNodeStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Incremental inserts into a tree that already holds {@code n} points. Each invocation inserts a
 * batch of fresh points; the setup before the next one deletes them again, so the tree stays at
 * {@code n} points however long JMH runs and the score is the cost of one insert at that size.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp jobs/target/simjoin.jar \
 *     org.openjdk.jmh.Main TreeInsertBenchmark
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
public class TreeInsertBenchmark {
  static final int BATCH = 1000;
  // Fresh points come from a pool of distinct rows, so no batch inserts duplicates of the prefill.
  private static final int POOL_BATCHES = 20;

  @Param({"gauss", "clustered"})
  public String kind;

  @Param({"100000"})
  public int n;

  @Param({"64"})
  public int d;

  private CoverTree tree;
  private float[][] pool;
  private String[] poolIds;
  private int batch;
  private boolean dirty;

  @Setup(Level.Trial)
  public void build() {
    Kind type = Kind.fromLabel(kind);
    // One stream for prefill and pool: the pool rows follow the prefill rows of the same data set.
    VectorSet all = SyntheticData.generate(type, n + BATCH * POOL_BATCHES, d, 1, Role.ITEMS);
    tree = CoverTree.builder(d).store(new HeapNodeStore()).build();
    for (int i = 0; i < n; i++) {
      tree.insert(Integer.toString(i), all.row(i));
    }
    pool = new float[BATCH * POOL_BATCHES][];
    poolIds = new String[pool.length];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = all.row(n + i);
      poolIds[i] = Integer.toString(n + i);
    }
  }

  // Level.Invocation is safe here: one invocation is a thousand inserts, not nanoseconds.
  @Setup(Level.Invocation)
  public void removePreviousBatch() {
    if (dirty) {
      int from = batch * BATCH;
      for (int i = from; i < from + BATCH; i++) {
        tree.delete(poolIds[i]);
      }
      batch = (batch + 1) % POOL_BATCHES;
      dirty = false;
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long insert() {
    int from = batch * BATCH;
    for (int i = from; i < from + BATCH; i++) {
      tree.insert(poolIds[i], pool[i]);
    }
    dirty = true;
    return tree.size();
  }
}
