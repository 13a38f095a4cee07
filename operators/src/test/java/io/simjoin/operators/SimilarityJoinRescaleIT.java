package io.simjoin.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.simjoin.operators.events.EventTypeInfo;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.source.legacy.SourceFunction;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rescaling: the join runs at parallelism 2 on the first part of a seeded stream, stops with a
 * savepoint, and resumes from it at parallelism 3 (same shard count) on the rest. Every standing
 * query's final top-k must equal the brute-force oracle over all items, and equal that of a run
 * without the stop at parallelism 2.
 */
class SimilarityJoinRescaleIT {
  private static final int D = 8;
  private static final int SHARDS = 4;

  /** The sources and sinks run in this JVM's MiniCluster: they find their data here by name. */
  private static final Map<String, List<?>> DATA = new ConcurrentHashMap<>();

  private static final Map<String, CountDownLatch> EMITTED = new ConcurrentHashMap<>();
  private static final Map<String, Queue<TopKUpdate>> SINKS = new ConcurrentHashMap<>();

  @TempDir Path dir;

  /** What the jobs of the running test coalesce over. */
  private Duration coalesce = Duration.ZERO;

  private record Standing(String ns, String id, float[] v, int k) {}

  private static final class Scenario {
    final List<ItemEvent> items = new ArrayList<>();
    final List<QueryEvent> queries = new ArrayList<>();
    final Map<String, Map<String, float[]>> live = new HashMap<>();
    final Map<String, Standing> standing = new LinkedHashMap<>();
    final Set<String> cancelled = new TreeSet<>();
  }

  /**
   * Also with coalesced updates held longer than the whole run: then only the flushes before the
   * savepoint's barrier and at the end of the input send them, and nothing held may be lost.
   */
  @ParameterizedTest(name = "coalesce {0} ms")
  @ValueSource(longs = {0, 600_000})
  void resumesAtAnotherParallelismWithTheSameAnswers(long coalesceMs) throws Exception {
    coalesce = Duration.ofMillis(coalesceMs);
    Scenario sc = generate(31);
    int itemSplit = sc.items.size() / 2;
    int querySplit = sc.queries.size() / 2;

    // the reference: one run at parallelism 2, no stop
    Map<String, TopKUpdate> reference = last(runToEnd("reference", 2, sc.items, sc.queries, null));

    // the same stream, stopped with a savepoint midway and resumed at parallelism 3
    String savepoint =
        runAndStop("first", 2, sc.items.subList(0, itemSplit), sc.queries.subList(0, querySplit));
    List<TopKUpdate> firstPart = new ArrayList<>(SINKS.get("first"));
    List<TopKUpdate> secondPart =
        runToEnd(
            "second",
            3,
            sc.items.subList(itemSplit, sc.items.size()),
            sc.queries.subList(querySplit, sc.queries.size()),
            savepoint);
    assertThat(firstPart).as("updates before the stop").isNotEmpty();
    List<TopKUpdate> all = new ArrayList<>(firstPart);
    all.addAll(secondPart);
    checkSeqContinues(all);
    Map<String, TopKUpdate> rescaled = last(all);

    for (Standing s : sc.standing.values()) {
      String key = s.ns + "/" + s.id;
      TopKUpdate u = rescaled.get(key);
      assertThat(u).as("an update for %s", key).isNotNull();
      JoinOracle.assertTopK(s.ns + "/" + s.id, s.v, s.k, u.matches(), sc.live.get(s.ns));
      assertThat(u.matches())
          .as("%s resumed at parallelism 3 vs. uninterrupted at 2", key)
          .isEqualTo(reference.get(key).matches());
    }
    for (String key : sc.cancelled) {
      assertThat(rescaled.get(key).cause().kind()).as(key).isEqualTo(UpdateCause.Kind.CANCELLED);
      assertThat(reference.get(key).cause().kind()).as(key).isEqualTo(UpdateCause.Kind.CANCELLED);
    }
    assertThat(sc.standing).hasSizeGreaterThan(10);
  }

  /** Runs a bounded job on the events to its end; returns the updates it emitted. */
  private List<TopKUpdate> runToEnd(
      String name, int parallelism, List<ItemEvent> items, List<QueryEvent> queries, String restore)
      throws Exception {
    StreamExecutionEnvironment env = environment(parallelism, restore);
    build(
        env,
        name,
        env.fromData(items, EventTypeInfo.ITEM_EVENT).setParallelism(1).uid(name + "-items"),
        env.fromData(queries, EventTypeInfo.QUERY_EVENT).setParallelism(1).uid(name + "-queries"));
    env.execute(name);
    return new ArrayList<>(SINKS.get(name));
  }

  /**
   * Runs a job whose sources emit the events and then idle, as Kafka sources would; once both have
   * emitted everything, stops it with a savepoint and returns the savepoint's path.
   */
  private String runAndStop(
      String name, int parallelism, List<ItemEvent> items, List<QueryEvent> queries)
      throws Exception {
    StreamExecutionEnvironment env = environment(parallelism, null);
    DATA.put(name + "-items", items);
    DATA.put(name + "-queries", queries);
    EMITTED.put(name, new CountDownLatch(2));
    build(
        env,
        name,
        env.addSource(new ListThenIdle<ItemEvent>(name + "-items", name), EventTypeInfo.ITEM_EVENT)
            .setParallelism(1)
            .uid(name + "-items"),
        env.addSource(
                new ListThenIdle<QueryEvent>(name + "-queries", name), EventTypeInfo.QUERY_EVENT)
            .setParallelism(1)
            .uid(name + "-queries"));
    JobClient job = env.executeAsync(name);
    assertThat(EMITTED.get(name).await(60, TimeUnit.SECONDS)).as("sources done").isTrue();
    // The barrier follows every record the sources emitted: the savepoint holds all of them.
    String path = null;
    String savepoints = dir.resolve("savepoints").toUri().toString();
    for (int attempt = 0; path == null; attempt++) {
      try {
        path =
            job.stopWithSavepoint(false, savepoints, SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        // the sources can be done before every downstream task is RUNNING (RocksDB still
        // opening); the savepoint is refused then, and is tried again
        if (attempt >= 50 || !String.valueOf(e.getMessage()).contains("Not all required tasks")) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
    job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
    return path;
  }

  private void build(
      StreamExecutionEnvironment env,
      String name,
      DataStream<ItemEvent> items,
      DataStream<QueryEvent> queries) {
    SINKS.put(name, new ConcurrentLinkedQueue<>());
    SimilarityJoin.Result join =
        SimilarityJoin.builder()
            .items(items)
            .queries(queries)
            .shards(SHARDS)
            .maxK(100)
            .bucketCapacity(8)
            .coalesceUpdates(coalesce)
            .build();
    join.updates().filter(new Collect(name)).sinkTo(new DiscardingSink<>());
  }

  /** Keeps what passes by in {@link #SINKS}; lets nothing through. */
  static final class Collect implements FilterFunction<TopKUpdate> {
    private final String name;

    Collect(String name) {
      this.name = name;
    }

    @Override
    public boolean filter(TopKUpdate u) {
      SINKS.get(name).add(u);
      return false;
    }
  }

  /** Emits a list from {@link #DATA}, then idles until cancelled (or stopped). */
  static final class ListThenIdle<T> implements SourceFunction<T> {
    private final String data;
    private final String latch;
    private volatile boolean running = true;

    ListThenIdle(String data, String latch) {
      this.data = data;
      this.latch = latch;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void run(SourceContext<T> ctx) throws Exception {
      for (Object e : DATA.get(data)) {
        synchronized (ctx.getCheckpointLock()) {
          ctx.collect((T) e);
        }
      }
      EMITTED.get(latch).countDown();
      while (running) {
        Thread.sleep(5);
      }
    }

    @Override
    public void cancel() {
      running = false;
    }
  }

  private StreamExecutionEnvironment environment(int parallelism, String restore) {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", "rocksdb");
    conf.setString("execution.checkpointing.incremental", "true");
    conf.setString("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
    conf.setString("pipeline.generic-types", "false");
    conf.setString("pipeline.max-parallelism", "128");
    conf.setString("restart-strategy.type", "none");
    conf.setString("parallelism.default", String.valueOf(parallelism));
    if (restore != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restore);
      // the first job's sources are not in the second; the join's state must all be claimed,
      // which the oracle checks
      conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
    }
    return StreamExecutionEnvironment.getExecutionEnvironment(conf);
  }

  private static Map<String, TopKUpdate> last(List<TopKUpdate> updates) {
    Map<String, TopKUpdate> last = new HashMap<>();
    for (TopKUpdate u : updates) {
      last.put(u.namespace() + "/" + u.queryId(), u);
    }
    return last;
  }

  /** The numbering of a query's updates goes on across the stop: no gap, no repeat. */
  private static void checkSeqContinues(List<TopKUpdate> updates) {
    Map<String, TopKUpdate> last = new HashMap<>();
    for (TopKUpdate u : updates) {
      String key = u.namespace() + "/" + u.queryId();
      TopKUpdate prev = last.put(key, u);
      boolean restart =
          prev == null || (u.seq() == 1 && prev.cause().kind() == UpdateCause.Kind.CANCELLED);
      if (!restart && u.seq() != prev.seq() + 1) {
        fail("seq of " + key + " went from " + prev.seq() + " to " + u.seq());
      }
      if (prev == null && u.seq() != 1) {
        fail("first seq of " + key + " is " + u.seq());
      }
    }
  }

  private static Scenario generate(long seed) {
    Scenario sc = new Scenario();
    SplittableRandom r = new SplittableRandom(seed);
    String[] namespaces = {"books", "films"};
    long ts = 1_000;
    for (String ns : namespaces) {
      sc.live.put(ns, new HashMap<>());
    }
    for (int i = 0; i < 1200; i++) {
      String ns = namespaces[r.nextInt(namespaces.length)];
      Map<String, float[]> l = sc.live.get(ns);
      if (r.nextInt(10) < 7 || l.isEmpty()) {
        String id =
            !l.isEmpty() && r.nextInt(5) == 0 ? JoinOracle.pick(r, l.keySet()) : ns + "-i" + i;
        float[] v = JoinOracle.vector(r, D);
        sc.items.add(ItemEvent.upsert(ns, id, v, ts++));
        l.put(id, v);
      } else {
        String id = JoinOracle.pick(r, l.keySet());
        sc.items.add(ItemEvent.delete(ns, id, ts++));
        l.remove(id);
      }
    }
    for (int i = 0; i < 60; i++) {
      String ns = namespaces[r.nextInt(namespaces.length)];
      String id = "q" + r.nextInt(20);
      String key = ns + "/" + id;
      int op = r.nextInt(10);
      if (op < 7) {
        float[] v = JoinOracle.vector(r, D);
        int k = 1 + r.nextInt(8);
        sc.queries.add(QueryEvent.register(ns, id, v, k, ts++));
        sc.standing.put(key, new Standing(ns, id, v, k));
        sc.cancelled.remove(key);
      } else if (op < 9 && sc.standing.containsKey(key)) {
        sc.queries.add(QueryEvent.cancel(ns, id, ts++));
        sc.standing.remove(key);
        sc.cancelled.add(key);
      } else {
        sc.queries.add(
            QueryEvent.once(ns, "once-" + i, JoinOracle.vector(r, D), 1 + r.nextInt(5), ts++));
      }
    }
    return sc;
  }
}
