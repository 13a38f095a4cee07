package io.simjoin.bench;

import io.simjoin.bench.data.DatasetSpec;
import io.simjoin.bench.data.Fvecs;
import io.simjoin.bench.data.SyntheticData.Role;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.bench.flink.RocksDbStatistics;
import io.simjoin.bench.flink.RocksTreeJob;
import io.simjoin.operators.SimilarityJoin;
import io.simjoin.state.CoverTree;
import io.simjoin.state.HeapNodeStore;
import io.simjoin.state.Match;
import io.simjoin.state.TreeCounters;
import io.simjoin.state.kernel.DotKernel;
import io.simjoin.state.kernel.DotKernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code simjoin bench}: builds the cover tree by incremental inserts, answers every query with the
 * tree and with {@link ExactScan} in the same run, checks that they agree, and prints one JSON line
 * (the last line of stdout) with build speed, query latencies of both, the tree's work per query
 * and heap per item. Progress goes to stderr. Exit code 0 when the tree was exact on every query, 1
 * when it was not (the differing queries are named on stderr), 2 on bad arguments or unreadable
 * data.
 *
 * <pre>{@code
 * ./simjoin bench --items synthetic:clustered:n=1000000,d=64,seed=1 --k 10
 * ./simjoin bench --items sift_base.fvecs --queries sift_query.fvecs --deletes 0.1 \
 *     --out-ids ids.ivecs --out-scores scores.fvecs
 * }</pre>
 *
 * <p>Without {@code --queries}, synthetic items get 1000 queries of the same kind, dimension and
 * seed (the same clusters, basis and mean, other samples); file items need {@code --queries}.
 */
@Command(
    name = "bench",
    sortOptions = false,
    description = {
      "Builds the cover tree by incremental inserts, answers every query with the tree and with an"
          + " exact scan, checks they agree and prints one JSON line (the last line of stdout).",
      "DATA is a path to a .fvecs file (ids are the row numbers) or"
          + " synthetic:KIND:n=N,d=D,seed=S with KIND one of gauss, mf, clustered, spectral, image.",
      "Exit code: 0 when tree and scan agreed on every query, 1 when not, 2 on bad input."
    })
public final class BenchCommand implements Callable<Integer> {
  /** Relative tolerance for score comparisons between tree and scan (see DESIGN.md). */
  public static final double SCORE_TOLERANCE = 1e-5;

  /** Seed of the shuffle that picks the {@code --deletes} victims: runs are repeatable. */
  public static final long DELETE_SEED = 0x5EED_DE1E7EL;

  /** Queries generated when synthetic items are given without {@code --queries}. */
  public static final int DEFAULT_QUERIES = 1000;

  private static final long PROGRESS_NANOS = 5_000_000_000L;

  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "--items",
      required = true,
      paramLabel = "DATA",
      converter = DatasetConverter.class,
      description = "Items to index: a .fvecs file or synthetic:KIND:n=N,d=D,seed=S.")
  DatasetSpec items;

  @Option(
      names = "--queries",
      paramLabel = "DATA",
      converter = DatasetConverter.class,
      description =
          "Queries, same forms as --items. Default for synthetic items: the same kind, d and seed"
              + " with n="
              + DEFAULT_QUERIES
              + " (same structure, other samples).")
  DatasetSpec queries;

  @Option(
      names = "--k",
      paramLabel = "K",
      defaultValue = "10",
      description = "Matches per query (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--stream-items",
      description =
          "With --store rocksdb and synthetic --items: generate the items a chunk at a time in the"
              + " task and in the exact check, never all in memory, and build no heap tree (for"
              + " state larger than the heap; rocksdb_vs_heap is then null). Chosen by itself when"
              + " the items' floats take more than a quarter of the heap.")
  boolean streamItems;

  @Option(
      names = "--deletes",
      paramLabel = "FRACTION",
      defaultValue = "0",
      description =
          "After the build, delete this fraction of the items (a seeded shuffle picks them) from"
              + " the tree and from the scan, then query (default: ${DEFAULT-VALUE}).")
  double deletes;

  @Option(
      names = "--out-ids",
      paramLabel = "FILE.ivecs",
      description = "Write the tree's k ids per query, best first, as .ivecs.")
  Path outIds;

  @Option(
      names = "--out-scores",
      paramLabel = "FILE.fvecs",
      description = "Write the tree's k scores per query, best first, as .fvecs.")
  Path outScores;

  @Option(
      names = "--bucket",
      paramLabel = "N",
      description = "Most points per leaf bucket, >= 2 (default: the tree's own).")
  Integer bucket;

  @Option(
      names = "--fanout",
      paramLabel = "N",
      description = "Most children per routing node, >= 3 (default: the tree's own).")
  Integer fanout;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "20",
      description =
          "Queries run through tree and scan before timing starts, not counted"
              + " (default: ${DEFAULT-VALUE}).")
  int warmup;

  /** Where the tree's nodes live for the run. */
  public enum Store {
    heap,
    rocksdb
  }

  @Option(
      names = "--store",
      paramLabel = "STORE",
      defaultValue = "heap",
      description =
          "heap: the tree on a HeapNodeStore in this JVM; rocksdb: the same tree over Flink keyed"
              + " state on the embedded RocksDB backend, in a local MiniCluster, timed against a"
              + " heap tree in the same task (default: ${DEFAULT-VALUE}).")
  Store store;

  /** {@code --kept-nodes} of {@code --store rocksdb} when not given: the whole tree, mostly. */
  static final int ROCKSDB_KEPT_NODES = 16_384;

  @Option(
      names = "--kept-nodes",
      paramLabel = "N",
      description =
          "With --store rocksdb or --e2e: decoded tree nodes kept in memory across events per tree"
              + " (SimilarityJoin.keptNodes); fewer than the tree has makes searches read RocksDB"
              + " (default: "
              + ROCKSDB_KEPT_NODES
              + " with --store rocksdb, SimilarityJoin's default with --e2e).")
  Integer keptNodes;

  @Option(
      names = "--e2e",
      description =
          "End to end: the SimilarityJoin operators in a MiniCluster with RocksDB and incremental"
              + " checkpoints; --standing queries are registered, then the --items streamed.")
  boolean e2e;

  @Option(
      names = "--kafka",
      description =
          "With --e2e: also run the same stream through a real Kafka broker (a child JVM) and the"
              + " Kafka job, exactly-once, and print its JSON line after the in-memory one, with"
              + " key kafka_vs_memory (the in-memory items/s over Kafka's).")
  boolean kafka;

  @Option(
      names = "--standing",
      paramLabel = "N",
      defaultValue = "1000",
      description = "With --e2e: standing queries registered first (default: ${DEFAULT-VALUE}).")
  int standing;

  @Option(
      names = "--shards",
      paramLabel = "S",
      defaultValue = "4",
      description = "With --e2e: shards per namespace (default: ${DEFAULT-VALUE}).")
  int shards;

  @Option(
      names = "--repeat",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "With --e2e: runs the job N times in this JVM, a JSON line each (key run, from 1): the"
              + " first meets a cold JIT, the later ones code compiled as in a TaskManager that has"
              + " run for a while (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(
      names = "--parallelism",
      paramLabel = "P",
      defaultValue = "2",
      description = "With --e2e: parallelism of the join operators (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description =
          "With --e2e: checkpoint interval, a Flink duration like 10s or 500ms"
              + " (default: ${DEFAULT-VALUE}).")
  String checkpointInterval;

  @Option(
      names = "--coalesce",
      paramLabel = "DURATION",
      defaultValue = "0ms",
      description =
          "With --e2e: SimilarityJoin.coalesceUpdates, a Flink duration; 0ms emits every change"
              + " of every top-k (default: ${DEFAULT-VALUE}).")
  String coalesce;

  /** {@link #coalesce}, parsed by {@link #validate()}. */
  private Duration coalesceInterval;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    validate();
    try {
      if (e2e) {
        boolean exact = true;
        for (int run = 1; run <= repeat; run++) {
          Outcome o =
              new E2eBench(
                      items,
                      queries,
                      k,
                      standing,
                      shards,
                      parallelism,
                      checkpointInterval,
                      coalesceInterval,
                      keptNodes == null ? SimilarityJoin.DEFAULT_KEPT_NODES : keptNodes)
                  .run(err, run);
          out.println(o.json);
          out.flush();
          exact &= o.exact;
          if (kafka) {
            exact &= runKafka(o, run, out, err);
          }
        }
        return exact ? 0 : 1;
      }
      Outcome o = store == Store.rocksdb ? runRocksDb(err) : run(err);
      out.println(o.json);
      out.flush();
      return o.exact ? 0 : 1;
    } catch (IOException | IllegalArgumentException | FlinkJobException e) {
      err.println("bench: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  /** The Kafka run after an in-memory one; prints its line with the ratio of the two rates. */
  private boolean runKafka(Outcome memory, int run, PrintWriter out, PrintWriter err) {
    KafkaE2e runner =
        java.util.ServiceLoader.load(KafkaE2e.class)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--kafka needs the jobs module (run it through ./simjoin)"));
    KafkaE2e.Result r;
    try {
      r =
          runner.run(
              new KafkaE2e.Settings(
                  (DatasetSpec.Synthetic) items,
                  (DatasetSpec.Synthetic) queries,
                  k,
                  standing,
                  shards,
                  parallelism,
                  checkpointInterval,
                  coalesceInterval),
              err);
    } catch (Exception e) {
      throw new FlinkJobException("the Kafka e2e run failed: " + rootMessage(e), e);
    }
    double memoryRate = JsonLine.readNumber(memory.json, "items_per_s");
    String json =
        r.json().substring(0, r.json().length() - 1)
            + ",\"kafka_vs_memory\":"
            + JsonLine.number(memoryRate / r.itemsPerSecond())
            + ",\"run\":"
            + run
            + "}";
    out.println(json);
    out.flush();
    return r.exact();
  }

  private void validate() {
    if (k < 1) {
      throw new ParameterException(spec.commandLine(), "--k must be at least 1, got " + k);
    }
    if (!(deletes >= 0 && deletes < 1)) {
      throw new ParameterException(
          spec.commandLine(), "--deletes must be a fraction in [0, 1), got " + deletes);
    }
    if (bucket != null && bucket < 2) {
      throw new ParameterException(spec.commandLine(), "--bucket must be at least 2");
    }
    if (fanout != null && fanout < 3) {
      throw new ParameterException(spec.commandLine(), "--fanout must be at least 3");
    }
    if (warmup < 0) {
      throw new ParameterException(spec.commandLine(), "--warmup must not be negative");
    }
    try {
      coalesceInterval = TimeUtils.parseDuration(coalesce);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--coalesce must be a duration like 100ms: " + e.getMessage());
    }
    if (keptNodes != null && keptNodes < 0) {
      throw new ParameterException(spec.commandLine(), "--kept-nodes must not be negative");
    }
    if (standing < 1 || shards < 1 || parallelism < 1) {
      throw new ParameterException(
          spec.commandLine(), "--standing, --shards and --parallelism must be at least 1");
    }
    if (repeat < 1) {
      throw new ParameterException(spec.commandLine(), "--repeat must be at least 1");
    }
    if (streamItems && (store != Store.rocksdb || !(items instanceof DatasetSpec.Synthetic))) {
      throw new ParameterException(
          spec.commandLine(), "--stream-items needs --store rocksdb and synthetic --items");
    }
    if (kafka && !e2e) {
      throw new ParameterException(spec.commandLine(), "--kafka needs --e2e");
    }
    if (repeat > 1 && !e2e) {
      throw new ParameterException(spec.commandLine(), "--repeat needs --e2e");
    }
    if (e2e && !(items instanceof DatasetSpec.Synthetic)) {
      throw new ParameterException(spec.commandLine(), "--e2e needs synthetic --items");
    }
    if (e2e && queries == null) {
      queries = ((DatasetSpec.Synthetic) items).withN(standing);
    }
    if (queries == null) {
      if (!(items instanceof DatasetSpec.Synthetic s)) {
        throw new ParameterException(
            spec.commandLine(), "--queries is required when --items is a file");
      }
      queries = s.withN(DEFAULT_QUERIES);
    }
  }

  record Outcome(String json, boolean exact) {}

  /** A Flink job of the bench failed; its cause is in the message. */
  static final class FlinkJobException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FlinkJobException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * {@code --store rocksdb}: the tree runs in a Flink task over RocksDB keyed state (see {@link
   * RocksTreeJob}); this JVM loads the same data, scans it and checks the task's answers.
   */
  private Outcome runRocksDb(PrintWriter err) throws IOException {
    DotKernel kernel = DotKernels.best();
    long t = System.nanoTime();
    boolean streamed = itemsOutgrowTheHeap();
    VectorSet itemSet = streamed ? null : items.load(Role.ITEMS);
    VectorSet querySet = queries.load(Role.QUERIES);
    final int n = streamed ? ((DatasetSpec.Synthetic) items).n() : itemSet.n();
    final int d = streamed ? ((DatasetSpec.Synthetic) items).d() : itemSet.d();
    if (streamed) {
      say(
          err,
          "items %s (%.0f MB of floats; this JVM's heap is %d MB): the task and the check generate"
              + " them a chunk at a time, and there is no heap tree (rocksdb_vs_heap is not"
              + " measured)",
          items,
          4.0 * n * d / (1 << 20),
          Runtime.getRuntime().maxMemory() >> 20);
    } else {
      say(err, "items %s and queries %s loaded in %.1f s", items, queries, secs(t));
    }
    if (querySet.d() != d) {
      throw new IllegalArgumentException(
          "queries have dimension " + querySet.d() + " but items have " + d);
    }
    final int nq = querySet.n();
    int deleteCount = (int) Math.min(n, Math.round(deletes * n));
    int[] victims = victims(n, deleteCount);
    boolean[] deleted = new boolean[n];
    for (int row : victims) {
      deleted[row] = true;
    }
    int liveN = n - deleteCount;

    say(err, "running the tree on RocksDB keyed state in a local MiniCluster ...");
    List<RocksTreeJob.QueryRecord> records;
    Path tmp = Files.createTempDirectory("simjoin-bench-rocksdb");
    long jobStart = System.nanoTime();
    try {
      records =
          RocksTreeJob.run(
              new RocksTreeJob.Params(
                  items.toString(),
                  queries.toString(),
                  k,
                  victims,
                  bucket,
                  fanout,
                  warmup,
                  keptNodes == null ? ROCKSDB_KEPT_NODES : keptNodes,
                  streamed),
              tmp);
    } catch (Exception e) {
      throw new FlinkJobException("the RocksDB job failed: " + rootMessage(e), e);
    } finally {
      deleteTree(tmp);
    }
    say(err, "job done in %.1f s", secs(jobStart));
    if (records.size() != nq + 1 || records.get(0).index != -1) {
      throw new FlinkJobException(
          "the RocksDB job returned " + records.size() + " records, expected " + (nq + 1), null);
    }
    RocksTreeJob.QueryRecord sum = records.get(0);
    boolean exact = true;
    if (!sum.problems.isEmpty()) {
      err.println("MISMATCH: " + sum.problems);
      exact = false;
    }
    if (sum.size != liveN) {
      err.printf("MISMATCH: tree.size() is %d, expected %d live items%n", sum.size, liveN);
      exact = false;
    }
    float[][] qs = new float[nq][];
    for (int i = 0; i < nq; i++) {
      qs[i] = querySet.row(i);
    }
    ExactAnswers exactAnswers;
    if (streamed) {
      long scanStart = System.nanoTime();
      List<String> returned = new java.util.ArrayList<>();
      records.subList(1, records.size()).forEach(r -> returned.addAll(Arrays.asList(r.ids)));
      try {
        exactAnswers =
            ChunkedScan.run(
                (DatasetSpec.Synthetic) items,
                deleted,
                querySet,
                k,
                ChunkedScan.rowsNamed(returned),
                kernel);
      } catch (Exception e) {
        throw new IllegalStateException("the chunked exact scan failed: " + e.getMessage(), e);
      }
      say(err, "exact answers by a chunked scan in %.1f s", secs(scanStart));
    } else {
      exactAnswers = ExactAnswers.scan(itemSet, deleted, liveN, qs, k, warmup, kernel);
    }
    long[] treeNs = new long[nq];
    long[] heapNs = new long[nq];
    long[] scanNs = new long[nq];
    double dots = 0;
    long fullDots = 0;
    long nodes = 0;
    long reads = 0;
    long stateReads = 0;
    long stateBytesRead = 0;
    AnswerLog answers = new AnswerLog(nq, Math.min(k, liveN));
    for (int i = 0; i < nq; i++) {
      RocksTreeJob.QueryRecord r = records.get(i + 1);
      ExactScan.Result scanTop = exactAnswers.answer(i);
      scanNs[i] = exactAnswers.scanNs(i);
      treeNs[i] = r.treeNs;
      heapNs[i] = r.heapNs;
      dots += r.dots;
      fullDots += r.fullDots;
      nodes += r.nodes;
      reads += r.storeReads;
      stateReads += r.stateReads;
      stateBytesRead += r.stateBytesRead;
      exact &=
          answers.record(
              err, i, qs[i], r.matches(), scanTop, n, exactAnswers.rows(), deleted, kernel);
    }
    answers.finish(err);
    double treeMean = meanMs(treeNs);
    double heapMean = meanMs(heapNs);
    double scanMean = meanMs(scanNs);
    double perQuery = Math.max(nq, 1);
    // The tree's bytes are in RocksDB, not on the heap: heap_bytes_per_item is not measured.
    JsonLine json =
        contractJson(n, d, nq, k, sum.buildS, treeNs, scanNs, dots, nodes, reads, liveN, Double.NaN)
            .put("exact", exact)
            .put("kind", items.kind())
            .put("kernel", sum.kernel)
            .put("deleted", deleteCount)
            .put("delete_s", sum.deleteS)
            .put("mismatches", answers.mismatches)
            .put("bucket", sum.bucket)
            .put("fanout", sum.fanout)
            .put("full_dots_fraction", fullDots / perQuery / liveN)
            .put("partial_head", sum.partialHead)
            .put("store", "rocksdb")
            .put("kept_nodes", keptNodes == null ? ROCKSDB_KEPT_NODES : keptNodes)
            .put("heap_tree_ms_mean", streamed ? Double.NaN : heapMean)
            .put("heap_tree_ms_p50", streamed ? Double.NaN : percentileMs(heapNs, 50))
            .put("heap_build_s", streamed ? Double.NaN : sum.heapBuildS)
            .put("rocksdb_vs_heap", streamed ? Double.NaN : treeMean / heapMean)
            .put("items_streamed", streamed)
            .put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20)
            .put("state_bytes_on_disk_per_item", sum.bytesOnDisk / (double) Math.max(liveN, 1))
            .put(
                "block_cache_hit_rate",
                new RocksDbStatistics.Counts(sum.blockCacheHits, sum.blockCacheMisses, 0).hitRate())
            .put("state_reads_per_query", stateReads / perQuery)
            .put("state_bytes_read_per_query", stateBytesRead / perQuery)
            .put("state_bytes_written_per_insert", sum.buildBytesWritten / (double) Math.max(n, 1));
    say(
        err,
        "RocksDB tree %.3f ms per query (mean)%s; %.1f state reads per query, block cache hit"
            + " rate %.3f; %.0f bytes on disk per item; scan %.3f ms; %s",
        treeMean,
        streamed
            ? ""
            : String.format(
                Locale.ROOT,
                ", heap tree %.3f ms (same task): %.2fx",
                heapMean,
                treeMean / heapMean),
        stateReads / perQuery,
        new RocksDbStatistics.Counts(sum.blockCacheHits, sum.blockCacheMisses, 0).hitRate(),
        sum.bytesOnDisk / (double) Math.max(liveN, 1),
        scanMean,
        exact ? "exact" : "NOT EXACT");
    return new Outcome(json.toString(), exact);
  }

  /**
   * Whether {@code --store rocksdb} generates the items a chunk at a time: synthetic items whose
   * floats alone take more than a quarter of the heap, where a heap tree and a whole copy for the
   * scan would not fit (a run of state larger than memory).
   */
  private boolean itemsOutgrowTheHeap() {
    return items instanceof DatasetSpec.Synthetic s
        && (streamItems || 4L * s.n() * s.d() > Runtime.getRuntime().maxMemory() / 4);
  }

  static String rootMessage(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + c + ")";
  }

  /**
   * Deletes a temp dir, best effort. Flink may still be removing subsumed checkpoints in it, so
   * entries that vanish during the walk are expected; a dir left behind is harmless.
   */
  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | java.io.UncheckedIOException e) {
      // Files.walk reports a vanished entry as UncheckedIOException(NoSuchFileException)
    }
  }

  private Outcome run(PrintWriter err) throws IOException {
    DotKernel kernel = DotKernels.best();
    long t = System.nanoTime();
    VectorSet itemSet = items.load(Role.ITEMS);
    say(err, "items %s: %d x %d, loaded in %.1f s", items, itemSet.n(), itemSet.d(), secs(t));
    t = System.nanoTime();
    VectorSet querySet = queries.load(Role.QUERIES);
    say(err, "queries %s: %d x %d, loaded in %.1f s", queries, querySet.n(), querySet.d(), secs(t));
    if (querySet.d() != itemSet.d()) {
      throw new IllegalArgumentException(
          "queries have dimension " + querySet.d() + " but items have " + itemSet.d());
    }
    final int n = itemSet.n();
    final int d = itemSet.d();
    final int nq = querySet.n();

    // Build, measuring the heap the tree holds (the data set is already loaded, so not counted).
    long heapBefore = usedHeapAfterGc();
    var builder = CoverTree.builder(d).store(new HeapNodeStore()).kernel(kernel);
    if (bucket != null) {
      builder = builder.bucketCapacity(bucket);
    }
    if (fanout != null) {
      builder = builder.fanout(fanout);
    }
    CoverTree tree = builder.build();
    say(err, "building: %d incremental inserts, kernel %s", n, kernel.name());
    long buildStart = System.nanoTime();
    long lastReport = buildStart;
    for (int i = 0; i < n; i++) {
      tree.insert(Integer.toString(i), itemSet.row(i));
      if ((i & 1023) == 1023 && System.nanoTime() - lastReport > PROGRESS_NANOS) {
        lastReport = System.nanoTime();
        say(err, "  %d / %d inserted, %.0f/s", i + 1, n, (i + 1) / secs(buildStart));
      }
    }
    double buildS = secs(buildStart);
    long heapAfter = usedHeapAfterGc();
    double heapPerItem = (heapAfter - heapBefore) / (double) Math.max(n, 1);
    say(
        err,
        "built in %.2f s (%.0f inserts/s); heap %.0f bytes per item (raw vector: %d)",
        buildS,
        n / buildS,
        heapPerItem,
        4 * d);

    // Deletes: the same victims leave the tree and the scanned copy.
    boolean[] deleted = new boolean[n];
    int deleteCount = (int) Math.min(n, Math.round(deletes * n));
    double deleteS = 0;
    boolean exact = true;
    ExactScan scan;
    if (deleteCount > 0) {
      int[] victims = victims(n, deleteCount);
      long deleteStart = System.nanoTime();
      for (int row : victims) {
        if (!tree.delete(Integer.toString(row))) {
          err.printf("MISMATCH: tree.delete(\"%d\") returned false for a live item%n", row);
          exact = false;
        }
        deleted[row] = true;
      }
      deleteS = secs(deleteStart);
      int[] live = new int[n - deleteCount];
      for (int row = 0, j = 0; row < n; row++) {
        if (!deleted[row]) {
          live[j++] = row;
        }
      }
      scan = new ExactScan(itemSet.select(live), live, kernel);
      say(err, "deleted %d items in %.2f s; %d live", deleteCount, deleteS, live.length);
    } else {
      scan = new ExactScan(itemSet, null, kernel);
    }
    int liveN = n - deleteCount;
    if (tree.size() != liveN) {
      err.printf("MISMATCH: tree.size() is %d, expected %d live items%n", tree.size(), liveN);
      exact = false;
    }

    float[][] qs = new float[nq][];
    for (int i = 0; i < nq; i++) {
      qs[i] = querySet.row(i);
    }
    int warm = Math.min(warmup, nq);
    for (int i = 0; i < warm; i++) {
      tree.topK(qs[i], k);
      scan.topK(qs[i], k);
    }

    say(err, "querying: %d queries, k=%d, one at a time (after %d warm-up)", nq, k, warm);
    TreeCounters counters = tree.counters();
    counters.reset();
    long[] treeNs = new long[nq];
    long[] scanNs = new long[nq];
    double dots = 0;
    long nodes = 0;
    long reads = 0;
    long fullDots = 0;
    AnswerLog answers = new AnswerLog(nq, Math.min(k, liveN));
    long queryStart = System.nanoTime();
    lastReport = queryStart;
    for (int i = 0; i < nq; i++) {
      float[] q = qs[i];
      List<Match> treeTop;
      ExactScan.Result scanTop;
      // Partial products (over a learned basis's leading coordinates) count as head/d of a dot.
      int head = tree.partialProductLength();
      double d0 = counters.equivalentDots(d, head);
      long f0 = counters.dots();
      long n0 = counters.nodesVisited();
      long r0 = counters.storeReads();
      // Alternate which goes first so neither always runs with the other's data in cache.
      if ((i & 1) == 0) {
        long a = System.nanoTime();
        treeTop = tree.topK(q, k);
        long b = System.nanoTime();
        scanTop = scan.topK(q, k);
        long c = System.nanoTime();
        treeNs[i] = b - a;
        scanNs[i] = c - b;
      } else {
        long a = System.nanoTime();
        scanTop = scan.topK(q, k);
        long b = System.nanoTime();
        treeTop = tree.topK(q, k);
        long c = System.nanoTime();
        scanNs[i] = b - a;
        treeNs[i] = c - b;
      }
      dots += counters.equivalentDots(d, head) - d0;
      fullDots += counters.dots() - f0;
      nodes += counters.nodesVisited() - n0;
      reads += counters.storeReads() - r0;

      exact &=
          answers.record(err, i, q, treeTop, scanTop, itemSet.n(), itemSet::row, deleted, kernel);
      if (System.nanoTime() - lastReport > PROGRESS_NANOS) {
        lastReport = System.nanoTime();
        say(err, "  %d / %d queries", i + 1, nq);
      }
    }
    answers.finish(err);

    double treeMean = meanMs(treeNs);
    double scanMean = meanMs(scanNs);
    double perQuery = Math.max(nq, 1);
    JsonLine json =
        contractJson(n, d, nq, k, buildS, treeNs, scanNs, dots, nodes, reads, liveN, heapPerItem)
            .put("exact", exact)
            .put("kind", items.kind())
            .put("kernel", kernel.name())
            .put("deleted", deleteCount)
            .put("delete_s", deleteS)
            .put("mismatches", answers.mismatches)
            .put("bucket", tree.bucketCapacity())
            .put("fanout", tree.fanout())
            .put("full_dots_fraction", fullDots / perQuery / liveN)
            .put("partial_head", tree.partialProductLength());
    say(
        err,
        "tree %.3f ms, scan %.3f ms per query (mean): speedup %.2fx; %.2f%% of inner products;"
            + " %s (%.1f s)",
        treeMean,
        scanMean,
        scanMean / treeMean,
        100.0 * dots / perQuery / liveN,
        exact ? "exact" : "NOT EXACT",
        secs(queryStart));
    return new Outcome(json.toString(), exact);
  }

  /**
   * Null when the tree's answer is a correct top-k: at every position its item's true score is
   * within tolerance of the scan's score at that position (so ids differ only where scores tie up
   * to rounding), its reported scores are the true ones, and it returns each live item at most
   * once.
   */
  static String disagreement(
      float[] q,
      List<Match> tree,
      ExactScan.Result scan,
      VectorSet items,
      boolean[] deleted,
      DotKernel kernel) {
    return disagreement(q, tree, scan, items.n(), items::row, deleted, kernel);
  }

  /**
   * As above with the items' rows looked up by row number: {@code rows} need only know the rows the
   * tree returned (when the items do not fit in memory).
   */
  static String disagreement(
      float[] q,
      List<Match> tree,
      ExactScan.Result scan,
      int n,
      IntFunction<float[]> rows,
      boolean[] deleted,
      DotKernel kernel) {
    int m = scan.size();
    if (tree.size() != m) {
      return "tree returned " + tree.size() + " matches, scan " + m;
    }
    if (m == 0) {
      return null;
    }
    double scale = Math.abs(scan.scores()[0]);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < m; i++) {
      Match t = tree.get(i);
      int row = parseRow(t.id(), n);
      if (row < 0) {
        return "position " + i + ": tree returned unknown id '" + t.id() + "'";
      }
      if (deleted[row]) {
        return "position " + i + ": tree returned deleted item " + row;
      }
      if (!seen.add(row)) {
        return "position " + i + ": tree returned item " + row + " twice";
      }
      float truth = kernel.dot(q, 0, rows.apply(row), 0, q.length);
      if (!close(t.score(), truth, scale)) {
        return "position "
            + i
            + ": tree says item "
            + row
            + " scores "
            + t.score()
            + " but its inner product is "
            + truth;
      }
      if (row != scan.ids()[i] && !close(truth, scan.scores()[i], scale)) {
        return "position "
            + i
            + ": tree has item "
            + row
            + " ("
            + truth
            + "), scan has item "
            + scan.ids()[i]
            + " ("
            + scan.scores()[i]
            + ")";
      }
    }
    return null;
  }

  /** Within {@link #SCORE_TOLERANCE} relative to the larger magnitude (or the query's best). */
  static boolean close(double a, double b, double scale) {
    double tol = SCORE_TOLERANCE * Math.max(scale, Math.max(Math.abs(a), Math.abs(b)));
    return Math.abs(a - b) <= tol;
  }

  /** The row number an id names, or -1 if it is not the canonical decimal of a row below n. */
  static int parseRow(String id, int n) {
    if (id.isEmpty() || id.length() > 10 || (id.length() > 1 && id.charAt(0) == '0')) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v < n ? (int) v : -1;
  }

  private static String describe(ExactScan.Result r) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < r.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(r.ids()[i]).append('=').append(r.scores()[i]);
    }
    return b.append(']').toString();
  }

  /** The first {@code count} rows of a seeded Fisher–Yates shuffle of {@code 0..n-1}. */
  public static int[] victims(int n, int count) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(DELETE_SEED);
    for (int i = 0; i < count; i++) {
      int j = i + rnd.nextInt(n - i);
      int tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    return Arrays.copyOf(perm, count);
  }

  /** Nearest-rank percentile in milliseconds. */
  static double percentileMs(long[] nanos, double p) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1] / 1e6;
  }

  static double meanMs(long[] nanos) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (long v : nanos) {
      sum += v;
    }
    return sum / nanos.length / 1e6;
  }

  /**
   * Used heap after full collections; with ParallelGC, System.gc() is a full, stop-the-world GC.
   */
  private static long usedHeapAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static double secs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void say(PrintWriter err, String format, Object... args) {
    err.println(String.format(Locale.ROOT, format, args));
    err.flush();
  }

  /** Turns a parse error into picocli's "invalid value" message instead of a stack trace. */
  static final class DatasetConverter implements ITypeConverter<DatasetSpec> {
    @Override
    public DatasetSpec convert(String value) {
      try {
        return DatasetSpec.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /**
   * The tree's answers, checked against the scan one query at a time, kept for the {@code --out}
   * files; both store modes report through it.
   */
  private final class AnswerLog {
    private final int nq;
    private final int width;
    private final int[] idRows;
    private final float[] scoreRows;
    int mismatches;

    AnswerLog(int nq, int width) {
      this.nq = nq;
      this.width = width;
      this.idRows = new int[nq * width];
      this.scoreRows = new float[nq * width];
    }

    /** Records the tree's answer to query {@code i}; false when it disagrees with the scan. */
    boolean record(
        PrintWriter err,
        int i,
        float[] q,
        List<Match> treeTop,
        ExactScan.Result scanTop,
        int n,
        IntFunction<float[]> rows,
        boolean[] deleted,
        DotKernel kernel) {
      String why = disagreement(q, treeTop, scanTop, n, rows, deleted, kernel);
      if (why != null && mismatches++ < 10) {
        err.printf("MISMATCH at query %d: %s%n", i, why);
        err.printf("  tree: %s%n", treeTop);
        err.printf("  scan: %s%n", describe(scanTop));
      }
      for (int j = 0; j < width; j++) {
        Match m = j < treeTop.size() ? treeTop.get(j) : null;
        idRows[i * width + j] = m == null ? -1 : parseRow(m.id(), Integer.MAX_VALUE);
        scoreRows[i * width + j] = m == null ? Float.NaN : m.score();
      }
      return why == null;
    }

    /** Reports the disagreements and writes the answers to the requested files. */
    void finish(PrintWriter err) throws IOException {
      if (mismatches > 0) {
        err.printf("MISMATCH: tree and scan disagreed on %d of %d queries%n", mismatches, nq);
      }
      if (outIds != null) {
        Fvecs.writeIvecs(outIds, idRows, width == 0 ? 0 : nq, Math.max(width, 1));
      }
      if (outScores != null) {
        Fvecs.write(outScores, scoreRows, width == 0 ? 0 : nq, Math.max(width, 1));
      }
    }
  }

  /** The contract keys up to {@code heap_bytes_per_item}, in the order scripts read them. */
  private static JsonLine contractJson(
      int n,
      int d,
      int nq,
      int k,
      double buildS,
      long[] treeNs,
      long[] scanNs,
      double dots,
      long nodes,
      long reads,
      int liveN,
      double heapPerItem) {
    double treeMean = meanMs(treeNs);
    double scanMean = meanMs(scanNs);
    double perQuery = Math.max(nq, 1);
    return new JsonLine()
        .put("n", n)
        .put("d", d)
        .put("queries", nq)
        .put("k", k)
        .put("build_s", buildS)
        .put("inserts_per_s", n / buildS)
        .put("tree_ms_p50", percentileMs(treeNs, 50))
        .put("tree_ms_p99", percentileMs(treeNs, 99))
        .put("tree_ms_mean", treeMean)
        .put("scan_ms_p50", percentileMs(scanNs, 50))
        .put("scan_ms_p99", percentileMs(scanNs, 99))
        .put("scan_ms_mean", scanMean)
        .put("speedup", scanMean / treeMean)
        .put("dots_fraction", dots / perQuery / liveN)
        .put("nodes_per_query", nodes / perQuery)
        .put("store_reads_per_query", reads / perQuery)
        .put("heap_bytes_per_item", heapPerItem);
  }
}
