package io.simjoin.bench.flink;

import io.simjoin.bench.data.DatasetSpec;
import io.simjoin.bench.data.SyntheticData.Role;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.state.CoverTree;
import io.simjoin.state.HeapNodeStore;
import io.simjoin.state.Match;
import io.simjoin.state.TreeCounters;
import io.simjoin.state.flink.MapStateNodeStore;
import io.simjoin.state.kernel.DotKernel;
import io.simjoin.state.kernel.DotKernels;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * The cover tree over a real RocksDB keyed state backend, for {@code bench --store rocksdb}: a
 * Flink job in a local MiniCluster (parallelism 1, generic types off) whose single keyed operator,
 * on its one key, regenerates items and queries from their {@link DatasetSpec} strings (the vectors
 * are never shipped in the job graph), inserts every item into a {@link CoverTree} over a {@link
 * MapStateNodeStore} (one state access per insert, as an operator would make one per record),
 * deletes the victims, then answers every query, one access per query, timing each inside the task.
 * The same task builds the same tree on a {@link HeapNodeStore} and times the same queries
 * alternately with the RocksDB tree, so the ratio of the two is measured in one run. The per-query
 * answers and counters come back to the client through {@code collectAsync}.
 */
public final class RocksTreeJob {
  private RocksTreeJob() {}

  /** What the task needs to rebuild the run: data set specs, not data. */
  public record Params(
      String items,
      String queries,
      int k,
      int[] victims,
      Integer bucket,
      Integer fanout,
      int warmup,
      int keptNodes)
      implements Serializable {}

  /**
   * One query's answer and costs ({@code index >= 0}), or the run's summary ({@code index == -1}).
   * A Flink POJO: no Kryo.
   */
  public static final class QueryRecord {
    public int index;
    public String[] ids;
    public float[] scores;
    public long treeNs;
    public long heapNs;
    public long nodes;
    public long storeReads;
    public long stateReads;
    public long stateBytesRead;
    public long fullDots;
    public double dots;
    // summary only
    public double buildS;
    public double heapBuildS;
    public double deleteS;
    // bytes the store wrote to state while inserting every item (summary only)
    public long buildBytesWritten;
    public long size;
    public int bucket;
    public int fanout;
    public int partialHead;
    public String kernel;
    public String problems;

    public QueryRecord() {}

    /** The answer as matches, best first. */
    public List<Match> matches() {
      List<Match> m = new ArrayList<>(ids.length);
      for (int i = 0; i < ids.length; i++) {
        m.add(new Match(ids[i], scores[i]));
      }
      return m;
    }
  }

  /** The records of a run: the summary first, then the queries in order. */
  public static List<QueryRecord> run(Params params, Path tmp) throws Exception {
    Configuration conf =
        Configuration.fromMap(
            Map.of(
                "state.backend.type", "rocksdb",
                "state.backend.rocksdb.localdir", tmp.resolve("rocksdb").toString(),
                "execution.checkpointing.dir", tmp.resolve("checkpoints").toUri().toString(),
                "parallelism.default", "1",
                "pipeline.generic-types", "false",
                "restart-strategy.type", "none",
                "taskmanager.memory.managed.size", "512m"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    TypeInformation<QueryRecord> type = TypeInformation.of(QueryRecord.class);
    var results =
        env.fromData(List.of(0), Types.INT)
            .keyBy(x -> 0, Types.INT)
            .process(new TreeRunner(params), type)
            .name("cover tree on RocksDB");
    List<QueryRecord> out = new ArrayList<>();
    try (CloseableIterator<QueryRecord> it = results.collectAsync()) {
      env.executeAsync("simjoin bench --store rocksdb");
      while (it.hasNext()) {
        out.add(it.next());
      }
    }
    out.sort((a, b) -> Integer.compare(a.index, b.index));
    return out;
  }

  /** The whole benchmark in one element of one key. */
  static final class TreeRunner extends KeyedProcessFunction<Integer, Integer, QueryRecord> {
    /** The one key the job runs under. */
    private static final Integer KEY = 0;

    private static final long serialVersionUID = 1L;
    private final Params p;
    private transient MapStateNodeStore store;

    TreeRunner(Params p) {
      this.p = p;
    }

    @Override
    public void open(OpenContext ctx) {
      store =
          MapStateNodeStore.create(
              getRuntimeContext(),
              "items",
              MapStateNodeStore.DEFAULT_CACHE_CAPACITY,
              // kept across records as ShardJoin keeps them; one key and no checkpoint, so
              // nothing needs forgetting
              p.keptNodes());
    }

    private CoverTree.Builder shape(CoverTree.Builder b, DotKernel kernel) {
      b = b.kernel(kernel);
      if (p.bucket() != null) {
        b = b.bucketCapacity(p.bucket());
      }
      if (p.fanout() != null) {
        b = b.fanout(p.fanout());
      }
      return b;
    }

    @Override
    public void processElement(Integer ignored, Context ctx, Collector<QueryRecord> out)
        throws Exception {
      VectorSet items = DatasetSpec.parse(p.items()).load(Role.ITEMS);
      VectorSet queries = DatasetSpec.parse(p.queries()).load(Role.QUERIES);
      int n = items.n();
      int d = items.d();
      DotKernel kernel = DotKernels.best();
      StringBuilder problems = new StringBuilder();
      CoverTree rocks;
      try (var a = store.open(KEY)) {
        rocks = shape(CoverTree.builder(d).store(store), kernel).build();
      }
      CoverTree heap = shape(CoverTree.builder(d).store(new HeapNodeStore()), kernel).build();

      long t = System.nanoTime();
      long w0 = store.stateBytesWritten();
      for (int i = 0; i < n; i++) {
        try (var a = store.open(KEY)) {
          rocks.insert(Integer.toString(i), items.row(i));
        }
      }
      double buildS = (System.nanoTime() - t) / 1e9;
      long buildBytesWritten = store.stateBytesWritten() - w0;
      t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        heap.insert(Integer.toString(i), items.row(i));
      }
      double heapBuildS = (System.nanoTime() - t) / 1e9;

      t = System.nanoTime();
      for (int row : p.victims()) {
        boolean gone;
        try (var a = store.open(KEY)) {
          gone = rocks.delete(Integer.toString(row));
        }
        if (!gone) {
          problems.append("tree.delete(\"").append(row).append("\") returned false; ");
        }
      }
      double deleteS = (System.nanoTime() - t) / 1e9;
      for (int row : p.victims()) {
        heap.delete(Integer.toString(row));
      }
      long size;
      int bucket;
      int fanout;
      int head;
      try (var a = store.open(KEY)) {
        size = rocks.size();
        bucket = rocks.bucketCapacity();
        fanout = rocks.fanout();
        head = rocks.partialProductLength();
      }

      int nq = queries.n();
      int k = p.k();
      float[][] qs = new float[nq][];
      for (int i = 0; i < nq; i++) {
        qs[i] = queries.row(i);
      }
      for (int i = 0; i < Math.min(p.warmup(), nq); i++) {
        try (var a = store.open(KEY)) {
          rocks.topK(qs[i], k);
        }
        heap.topK(qs[i], k);
      }

      QueryRecord summary = new QueryRecord();
      summary.index = -1;
      summary.ids = new String[0];
      summary.scores = new float[0];
      summary.buildS = buildS;
      summary.heapBuildS = heapBuildS;
      summary.deleteS = deleteS;
      summary.buildBytesWritten = buildBytesWritten;
      summary.size = size;
      summary.bucket = bucket;
      summary.fanout = fanout;
      summary.partialHead = head;
      summary.kernel = kernel.name();
      summary.problems = problems.toString();
      out.collect(summary);

      TreeCounters c = rocks.counters();
      for (int i = 0; i < nq; i++) {
        float[] q = qs[i];
        double d0 = c.equivalentDots(d, head);
        long f0 = c.dots();
        long n0 = c.nodesVisited();
        long r0 = c.storeReads();
        long s0 = store.accesses().reads();
        long bytes0 = store.stateBytesRead();
        List<Match> top;
        long treeNs;
        long heapNs;
        // Alternate which goes first so neither always runs with the other's data in cache.
        if ((i & 1) == 0) {
          long a0 = System.nanoTime();
          try (var a = store.open(KEY)) {
            top = rocks.topK(q, k);
          }
          long b0 = System.nanoTime();
          heap.topK(q, k);
          long c0 = System.nanoTime();
          treeNs = b0 - a0;
          heapNs = c0 - b0;
        } else {
          long a0 = System.nanoTime();
          heap.topK(q, k);
          long b0 = System.nanoTime();
          try (var a = store.open(KEY)) {
            top = rocks.topK(q, k);
          }
          long c0 = System.nanoTime();
          heapNs = b0 - a0;
          treeNs = c0 - b0;
        }
        QueryRecord r = new QueryRecord();
        r.index = i;
        r.ids = new String[top.size()];
        r.scores = new float[top.size()];
        for (int j = 0; j < top.size(); j++) {
          r.ids[j] = top.get(j).id();
          r.scores[j] = top.get(j).score();
        }
        r.treeNs = treeNs;
        r.heapNs = heapNs;
        r.dots = c.equivalentDots(d, head) - d0;
        r.fullDots = c.dots() - f0;
        r.nodes = c.nodesVisited() - n0;
        r.storeReads = c.storeReads() - r0;
        r.stateReads = store.accesses().reads() - s0;
        r.stateBytesRead = store.stateBytesRead() - bytes0;
        out.collect(r);
      }
    }
  }
}
