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
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
      int keptNodes,
      boolean streamed)
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
    // RocksDB's block cache during the queries, and the database's files at the end
    public long blockCacheHits;
    public long blockCacheMisses;
    public long bytesOnDisk;
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

  /**
   * The records of a run: the summary first, then the queries in order.
   *
   * <p>With {@link Params#streamed} the task generates the items a chunk at a time and builds no
   * heap tree, so the items need never fit the heap (the heap times are then 0).
   */
  public static List<QueryRecord> run(Params params, Path tmp) throws Exception {
    String rocksDir = tmp.resolve("rocksdb").toString();
    Configuration conf =
        Configuration.fromMap(
            Map.of(
                "state.backend.type", "rocksdb",
                "state.backend.rocksdb.localdir", rocksDir,
                "state.backend.rocksdb.options-factory", RocksDbStatistics.class.getName(),
                "execution.checkpointing.dir", tmp.resolve("checkpoints").toUri().toString(),
                "parallelism.default", "1",
                "pipeline.generic-types", "false",
                "restart-strategy.type", "none",
                "taskmanager.memory.managed.size", "512m"));
    String statsRun = UUID.randomUUID().toString();
    conf.set(RocksDbStatistics.RUN, statsRun);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    TypeInformation<QueryRecord> type = TypeInformation.of(QueryRecord.class);
    var results =
        env.fromData(List.of(0), Types.INT)
            .keyBy(x -> 0, Types.INT)
            .process(new TreeRunner(params, statsRun, rocksDir), type)
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
    private final String statsRun;
    private final String rocksDir;
    private transient MapStateNodeStore store;

    TreeRunner(Params p, String statsRun, String rocksDir) {
      this.p = p;
      this.statsRun = statsRun;
      this.rocksDir = rocksDir;
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
      DatasetSpec itemSpec = DatasetSpec.parse(p.items());
      VectorSet queries = DatasetSpec.parse(p.queries()).load(Role.QUERIES);
      int d = queries.d();
      DotKernel kernel = DotKernels.best();
      QueryRecord summary = new QueryRecord();
      summary.index = -1;
      summary.ids = new String[0];
      summary.scores = new float[0];
      summary.kernel = kernel.name();
      StringBuilder problems = new StringBuilder();
      CoverTree rocks;
      try (var a = store.open(KEY)) {
        rocks = shape(CoverTree.builder(d).store(store), kernel).build();
      }
      CoverTree heap = null;
      long t = System.nanoTime();
      long w0 = store.stateBytesWritten();
      if (p.streamed()) {
        ((DatasetSpec.Synthetic) itemSpec)
            .forEachChunk(
                Role.ITEMS,
                (first, chunk) -> {
                  for (int r = 0; r < chunk.n(); r++) {
                    insert(rocks, first + r, chunk.row(r));
                  }
                });
        summary.buildS = (System.nanoTime() - t) / 1e9;
        summary.buildBytesWritten = store.stateBytesWritten() - w0;
      } else {
        VectorSet items = itemSpec.load(Role.ITEMS);
        for (int i = 0; i < items.n(); i++) {
          insert(rocks, i, items.row(i));
        }
        summary.buildS = (System.nanoTime() - t) / 1e9;
        summary.buildBytesWritten = store.stateBytesWritten() - w0;
        heap = shape(CoverTree.builder(d).store(new HeapNodeStore()), kernel).build();
        t = System.nanoTime();
        for (int i = 0; i < items.n(); i++) {
          heap.insert(Integer.toString(i), items.row(i));
        }
        summary.heapBuildS = (System.nanoTime() - t) / 1e9;
      }

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
      summary.deleteS = (System.nanoTime() - t) / 1e9;
      for (int row : heap == null ? new int[0] : p.victims()) {
        heap.delete(Integer.toString(row));
      }
      try (var a = store.open(KEY)) {
        summary.size = rocks.size();
        summary.bucket = rocks.bucketCapacity();
        summary.fanout = rocks.fanout();
        summary.partialHead = rocks.partialProductLength();
      }
      RocksDbStatistics.Counts before = RocksDbStatistics.read(statsRun);
      answerQueries(rocks, heap, queries, summary.partialHead, out);
      RocksDbStatistics.Counts after = RocksDbStatistics.read(statsRun);
      summary.blockCacheHits = after.blockCacheHits() - before.blockCacheHits();
      summary.blockCacheMisses = after.blockCacheMisses() - before.blockCacheMisses();
      summary.bytesOnDisk = bytesUnder(Path.of(rocksDir));
      summary.problems = problems.toString();
      // Emitted last, sorted first by the client: it carries the query phase's RocksDB counts.
      out.collect(summary);
    }

    private void insert(CoverTree rocks, int row, float[] vector) throws Exception {
      try (var a = store.open(KEY)) {
        rocks.insert(Integer.toString(row), vector);
      }
    }

    /** Times every query on RocksDB, and on the heap tree alternately first and second if any. */
    private void answerQueries(
        CoverTree rocks, CoverTree heap, VectorSet queries, int head, Collector<QueryRecord> out)
        throws Exception {
      int nq = queries.n();
      int d = queries.d();
      int k = p.k();
      float[][] qs = new float[nq][];
      for (int i = 0; i < nq; i++) {
        qs[i] = queries.row(i);
      }
      for (int i = 0; i < Math.min(p.warmup(), nq); i++) {
        try (var a = store.open(KEY)) {
          rocks.topK(qs[i], k);
        }
        if (heap != null) {
          heap.topK(qs[i], k);
        }
      }
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
        long heapNs = 0;
        // Alternate which goes first so neither always runs with the other's data in cache.
        boolean heapFirst = heap != null && (i & 1) == 1;
        if (heapFirst) {
          long a0 = System.nanoTime();
          heap.topK(q, k);
          heapNs = System.nanoTime() - a0;
        }
        long a0 = System.nanoTime();
        try (var a = store.open(KEY)) {
          top = rocks.topK(q, k);
        }
        treeNs = System.nanoTime() - a0;
        if (heap != null && !heapFirst) {
          long b0 = System.nanoTime();
          heap.topK(q, k);
          heapNs = System.nanoTime() - b0;
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

    /** The size of every file under {@code dir}: the database's SST files, manifest and logs. */
    private static long bytesUnder(Path dir) throws IOException {
      long[] total = {0};
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              total[0] += attrs.size();
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // removed by a compaction during the walk
            }
          });
      return total[0];
    }
  }
}
