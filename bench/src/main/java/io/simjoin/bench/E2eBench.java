package io.simjoin.bench;

import io.simjoin.bench.BenchCommand.FlinkJobException;
import io.simjoin.bench.BenchCommand.Outcome;
import io.simjoin.bench.data.DatasetSpec;
import io.simjoin.bench.data.SyntheticData.Role;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.operators.SimilarityJoin;
import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.EventTypeInfo;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * {@code bench --e2e}: the {@link SimilarityJoin} operators in a local MiniCluster with the
 * embedded RocksDB backend and incremental checkpoints. {@code standing} queries are registered
 * first; once the updates sink has seen every query's first answer, the items are streamed. Queries
 * and items are generated inside the tasks from their {@link DatasetSpec} strings (a number
 * sequence mapped to the spec's rows), never shipped in the job graph. Every item event carries its
 * creation wall-clock time (ms) as its timestamp, which the join passes on to the updates it
 * causes; the sink measures latency as its wall clock minus that timestamp.
 *
 * <p>The sink and the generators report to this JVM through a static registry keyed by a run id: a
 * local MiniCluster runs the tasks in this JVM, with this class loader as the parent of theirs.
 */
final class E2eBench {
  static final String NAMESPACE = "bench";

  /** Standing queries whose final top-k the run checks against an exact scan. */
  static final int CHECKED_QUERIES = 100;

  /** How long the items wait for the standing queries' first answers before the run fails. */
  private static final long REGISTER_TIMEOUT_MINUTES = 30;

  private final DatasetSpec items;
  private final DatasetSpec queries;
  private final int k;
  private final int standing;
  private final int shards;
  private final int parallelism;
  private final String checkpointInterval;
  private final Duration coalesce;
  private final int keptNodes;

  E2eBench(
      DatasetSpec items,
      DatasetSpec queries,
      int k,
      int standing,
      int shards,
      int parallelism,
      String checkpointInterval,
      Duration coalesce,
      int keptNodes) {
    this.items = items;
    this.queries = queries;
    this.k = k;
    this.standing = standing;
    this.shards = shards;
    this.parallelism = parallelism;
    this.checkpointInterval = checkpointInterval;
    this.coalesce = coalesce;
    this.keptNodes = keptNodes;
  }

  /** What the tasks of one run report; touched by the single sink task and the item generator. */
  static final class Stats {
    static final Map<String, Stats> RUNS = new ConcurrentHashMap<>();

    final int standing;
    final CountDownLatch registered = new CountDownLatch(1);
    final AtomicLong registeredUpdates = new AtomicLong();
    final AtomicLong itemUpdates = new AtomicLong();
    final AtomicLong otherUpdates = new AtomicLong();
    final AtomicLong checkpoints = new AtomicLong();
    final AtomicLong deadLetters = new AtomicLong();
    final AtomicLong itemsEmitted = new AtomicLong();
    volatile long itemPhaseStartMs;
    volatile long halfwayMs;
    volatile long lastUpdateMs;
    volatile long registeredMs;
    // Written by the sink task only, read after the job ended.
    final IntArrayList latenciesMs = new IntArrayList();
    final Map<String, List<ScoredItem>> lastMatches = new ConcurrentHashMap<>();

    Stats(int standing) {
      this.standing = standing;
    }

    static Stats of(String runId) {
      Stats s = RUNS.get(runId);
      if (s == null) {
        throw new IllegalStateException("no bench run " + runId + " in this JVM");
      }
      return s;
    }
  }

  /**
   * One run: a fresh job on a fresh MiniCluster state in this JVM; {@code run} (from 1) is reported
   * as key {@code run}, so repeated runs tell a cold JVM from a compiled one.
   */
  Outcome run(PrintWriter err, int run) throws IOException {
    if (!(items instanceof DatasetSpec.Synthetic) || !(queries instanceof DatasetSpec.Synthetic)) {
      throw new IllegalArgumentException("--e2e needs synthetic items and queries");
    }
    int n = ((DatasetSpec.Synthetic) items).n();
    int d = ((DatasetSpec.Synthetic) items).d();
    if (((DatasetSpec.Synthetic) queries).d() != d) {
      throw new IllegalArgumentException("queries and items differ in dimension");
    }
    int nq = Math.min(standing, ((DatasetSpec.Synthetic) queries).n());
    String runId = UUID.randomUUID().toString();
    Stats stats = new Stats(nq);
    Stats.RUNS.put(runId, stats);
    Path tmp = Files.createTempDirectory("simjoin-bench-e2e");
    long jobStart = System.nanoTime();
    JobExecutionResult result;
    try {
      Configuration conf =
          Configuration.fromMap(
              Map.ofEntries(
                  Map.entry("state.backend.type", "rocksdb"),
                  Map.entry("state.backend.rocksdb.localdir", tmp.resolve("rocksdb").toString()),
                  Map.entry("execution.checkpointing.incremental", "true"),
                  // The item generator waits (blocking its task) until the queries are answered:
                  // an aligned barrier would block the join's query input meanwhile, a deadlock.
                  Map.entry("execution.checkpointing.unaligned.enabled", "true"),
                  Map.entry(
                      "execution.checkpointing.dir", tmp.resolve("checkpoints").toUri().toString()),
                  Map.entry("execution.checkpointing.interval", checkpointInterval),
                  Map.entry("parallelism.default", Integer.toString(parallelism)),
                  Map.entry("pipeline.generic-types", "false"),
                  Map.entry("restart-strategy.type", "none"),
                  Map.entry("taskmanager.numberOfTaskSlots", Integer.toString(parallelism)),
                  Map.entry("taskmanager.memory.managed.size", "512m")));
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
      DataStream<QueryEvent> queryStream =
          env.fromSequence(0, nq - 1)
              .setParallelism(1)
              .name("query ids")
              .map(new QueryGen(queries.toString(), k), EventTypeInfo.QUERY_EVENT)
              .setParallelism(1)
              .name("generate standing queries");
      DataStream<ItemEvent> itemStream =
          env.fromSequence(0, n - 1)
              .setParallelism(1)
              .name("item ids")
              .map(new ItemGen(items.toString(), runId, n), EventTypeInfo.ITEM_EVENT)
              .setParallelism(1)
              .name("generate items (after the queries)");
      SimilarityJoin.Result join =
          SimilarityJoin.builder()
              .items(itemStream)
              .queries(queryStream)
              .shards(shards)
              .maxStandingQueriesPerNamespace(Math.max(nq, 1))
              .maxK(Math.max(k, 1000))
              .coalesceUpdates(coalesce)
              .keptNodes(keptNodes)
              .build();
      join.updates()
          .process(new UpdateSink(runId), Types.INT)
          .setParallelism(1)
          .name("measure updates")
          .sinkTo(new DiscardingSink<>())
          .setParallelism(1);
      join.deadLetters()
          .process(new DeadLetterCount(runId), Types.INT)
          .setParallelism(1)
          .sinkTo(new DiscardingSink<>())
          .setParallelism(1);
      say(
          err,
          "e2e: %d standing queries, then %d items (d=%d), %d shards, parallelism %d,"
              + " checkpoints every %s on RocksDB, updates coalesced over %d ms",
          nq,
          n,
          d,
          shards,
          parallelism,
          checkpointInterval,
          coalesce.toMillis());
      JobClient client = env.executeAsync("simjoin bench --e2e");
      Thread progress =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Thread.sleep(5000);
                    say(
                        err,
                        "  %d/%d registered, %d items emitted, %d item updates, %d checkpoints",
                        stats.registeredUpdates.get(),
                        nq,
                        stats.itemsEmitted.get(),
                        stats.itemUpdates.get(),
                        stats.checkpoints.get());
                  }
                } catch (InterruptedException e) {
                  // done
                }
              },
              "e2e-progress");
      progress.setDaemon(true);
      progress.start();
      try {
        result = client.getJobExecutionResult().get();
      } finally {
        progress.interrupt();
      }
    } catch (Exception e) {
      throw new FlinkJobException("the e2e job failed: " + BenchCommand.rootMessage(e), e);
    } finally {
      Stats.RUNS.remove(runId);
      BenchCommand.deleteTree(tmp);
    }
    double jobS = (System.nanoTime() - jobStart) / 1e9;

    long itemPhaseMs = Math.max(1, stats.lastUpdateMs - stats.itemPhaseStartMs);
    double itemPhaseS = itemPhaseMs / 1e3;
    // The second half: from the generator handing out item n/2 (it is held back by backpressure,
    // so that is when the join took it) to the last update.
    double secondHalfS = Math.max(1, stats.lastUpdateMs - stats.halfwayMs) / 1e3;
    long itemUpdates = stats.itemUpdates.get();
    int[] lat = stats.latenciesMs.toIntArray();
    Arrays.sort(lat);
    int checked = Math.min(nq, CHECKED_QUERIES);
    int wrong = wrongAnswers(stats, checked, nq, k);
    if (wrong > 0) {
      say(err, "e2e: %d of %d checked standing queries end with a wrong top-%d", wrong, checked, k);
    }
    boolean ok =
        stats.registeredUpdates.get() == nq
            && stats.deadLetters.get() == 0
            && stats.itemsEmitted.get() == n
            && wrong == 0;
    JsonLine json =
        new JsonLine()
            .put("items_per_s", n / itemPhaseS)
            .put("updates_per_s", itemUpdates / itemPhaseS)
            .put("latency_ms_p50", Percentiles.nearestRank(lat, 50))
            .put("latency_ms_p99", Percentiles.nearestRank(lat, 99))
            .put("checkpoints", stats.checkpoints.get())
            .put("n", n)
            .put("d", d)
            .put("standing", nq)
            .put("k", k)
            .put("shards", shards)
            .put("parallelism", parallelism)
            .put("checkpoint_interval", checkpointInterval)
            .put("items_per_s_second_half", (n - n / 2) / secondHalfS)
            .put("coalesce_ms", coalesce.toMillis())
            .put("kept_nodes", keptNodes)
            .put("item_phase_s", itemPhaseS)
            .put("register_s", (stats.registeredMs - startMs(stats, jobStart)) / 1e3)
            .put("job_s", jobS)
            .put("updates", itemUpdates)
            .put("registered", stats.registeredUpdates.get())
            .put("latency_ms_max", lat.length == 0 ? Double.NaN : lat[lat.length - 1])
            .put("dead_letters", stats.deadLetters.get())
            .put("kind", items.kind())
            .put("store", "rocksdb")
            .put("checked_queries", checked)
            .put("exact", wrong == 0)
            .put("run", run)
            .put("ok", ok);
    say(
        err,
        "e2e: %.0f items/s (second half %.0f/s), %.0f updates/s, latency p50 %.0f ms p99 %.0f ms, %d checkpoints"
            + " (item phase %.1f s, job %.1f s, net runtime %d ms)",
        n / itemPhaseS,
        (n - n / 2) / secondHalfS,
        itemUpdates / itemPhaseS,
        Percentiles.nearestRank(lat, 50),
        Percentiles.nearestRank(lat, 99),
        stats.checkpoints.get(),
        itemPhaseS,
        jobS,
        result.getNetRuntime());
    return new Outcome(json.toString(), ok);
  }

  /**
   * How many of {@code checked} standing queries, spread over all, end with a last update that is
   * not the exact top-k of every item, by an exact scan with the same kernel: ids and float scores
   * must be equal.
   */
  private int wrongAnswers(Stats stats, int checked, int nq, int k) throws IOException {
    if (checked == 0) {
      return 0;
    }
    VectorSet itemSet = items.load(Role.ITEMS);
    VectorSet querySet = queries.load(Role.QUERIES);
    ExactScan scan = new ExactScan(itemSet);
    int wrong = 0;
    for (int c = 0; c < checked; c++) {
      int q = (int) ((long) c * nq / checked);
      ExactScan.Result expected = scan.topK(querySet.row(q), k);
      List<ScoredItem> got = stats.lastMatches.getOrDefault("q" + q, List.of());
      boolean same = got.size() == expected.size();
      for (int i = 0; same && i < got.size(); i++) {
        same =
            got.get(i).itemId().equals(Integer.toString(expected.ids()[i]))
                && Float.compare(got.get(i).score(), expected.scores()[i]) == 0;
      }
      if (!same) {
        wrong++;
      }
    }
    return wrong;
  }

  private static long startMs(Stats s, long jobStartNanos) {
    // the wall-clock ms at which the job was submitted
    return System.currentTimeMillis() - (System.nanoTime() - jobStartNanos) / 1_000_000;
  }

  private static void say(PrintWriter err, String format, Object... args) {
    synchronized (err) {
      err.println(String.format(Locale.ROOT, format, args));
      err.flush();
    }
  }

  /** Query i: a standing query over row i of the query set, generated in the task. */
  static final class QueryGen extends RichMapFunction<Long, QueryEvent> {
    private static final long serialVersionUID = 1L;
    private final String spec;
    private final int k;
    private transient VectorSet vectors;

    QueryGen(String spec, int k) {
      this.spec = spec;
      this.k = k;
    }

    @Override
    public void open(OpenContext ctx) throws IOException {
      vectors = DatasetSpec.parse(spec).load(Role.QUERIES);
    }

    @Override
    public QueryEvent map(Long i) {
      return QueryEvent.register(
          NAMESPACE, "q" + i, vectors.row(i.intValue()), k, System.currentTimeMillis());
    }
  }

  /**
   * Item i: an upsert of row i, stamped with its creation time. The first item waits until every
   * standing query has been answered once.
   */
  static final class ItemGen extends RichMapFunction<Long, ItemEvent> {
    private static final long serialVersionUID = 1L;
    private final String spec;
    private final String runId;
    private final int n;
    private transient VectorSet vectors;
    private transient Stats stats;
    private transient boolean started;

    ItemGen(String spec, String runId, int n) {
      this.spec = spec;
      this.runId = runId;
      this.n = n;
    }

    @Override
    public void open(OpenContext ctx) throws IOException {
      vectors = DatasetSpec.parse(spec).load(Role.ITEMS);
      stats = Stats.of(runId);
    }

    @Override
    public ItemEvent map(Long i) throws Exception {
      if (!started) {
        if (!stats.registered.await(REGISTER_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
          throw new IllegalStateException("the standing queries were not all answered in time");
        }
        started = true;
        stats.itemPhaseStartMs = System.currentTimeMillis();
      }
      if (i == n / 2) {
        stats.halfwayMs = System.currentTimeMillis();
      }
      stats.itemsEmitted.incrementAndGet();
      return ItemEvent.upsert(
          NAMESPACE, Long.toString(i), vectors.row(i.intValue()), System.currentTimeMillis());
    }
  }

  /** Counts updates, measures item-caused latencies, counts completed checkpoints. */
  static final class UpdateSink extends ProcessFunction<TopKUpdate, Integer>
      implements CheckpointListener {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private transient Stats stats;

    UpdateSink(String runId) {
      this.runId = runId;
    }

    @Override
    public void open(OpenContext ctx) {
      stats = Stats.of(runId);
    }

    @Override
    public void processElement(TopKUpdate u, Context ctx, Collector<Integer> out) {
      long now = System.currentTimeMillis();
      UpdateCause.Kind kind = u.cause().kind();
      stats.lastMatches.put(u.queryId(), u.matches());
      if (kind == UpdateCause.Kind.REGISTERED) {
        if (stats.registeredUpdates.incrementAndGet() == stats.standing) {
          stats.registeredMs = now;
          stats.registered.countDown();
        }
      } else if (kind == UpdateCause.Kind.ITEM_UPSERTED) {
        stats.itemUpdates.incrementAndGet();
        stats.latenciesMs.add((int) Math.min(Integer.MAX_VALUE, Math.max(0, now - u.timestamp())));
        stats.lastUpdateMs = now;
      } else {
        stats.otherUpdates.incrementAndGet();
      }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      stats.checkpoints.incrementAndGet();
    }
  }

  /** Counts dead letters: a run that makes any is not a clean benchmark. */
  static final class DeadLetterCount extends ProcessFunction<DeadLetter, Integer> {
    private static final long serialVersionUID = 1L;
    private final String runId;

    DeadLetterCount(String runId) {
      this.runId = runId;
    }

    @Override
    public void processElement(DeadLetter d, Context ctx, Collector<Integer> out) {
      Stats.of(runId).deadLetters.incrementAndGet();
    }
  }
}
