package io.simjoin.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.EventTypeInfo;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole join in a Flink MiniCluster with the embedded RocksDB state backend, incremental
 * checkpoints and generic types disabled, on seeded streams over several namespaces: upserts,
 * changed vectors, deletes of items that sit in someone's top-k, registers, re-registers, cancels,
 * one-shot queries, thresholds and bad events. The oracle is a brute-force scan written here.
 */
class SimilarityJoinIT {
  private static final int D = 8;
  private static final int SHARDS = 3;

  @TempDir Path checkpoints;

  private record Standing(String ns, String id, float[] v, int k, Float threshold) {}

  /** The input streams and what the oracle expects of them. */
  private static final class Scenario {
    final List<ItemEvent> items = new ArrayList<>();
    final List<QueryEvent> queries = new ArrayList<>();
    final Map<String, Map<String, float[]>> live = new HashMap<>();
    final Map<String, Standing> standing = new LinkedHashMap<>();
    final Set<String> cancelled = new HashSet<>();
    final Map<String, Integer> registrations = new HashMap<>();
    final Map<DeadLetter.Reason, Integer> expectedDead = new EnumMap<>(DeadLetter.Reason.class);
  }

  @ParameterizedTest(name = "coalesce {0} ms")
  @ValueSource(longs = {0, 20})
  void finalTopKAlertsAndDeadLettersMatchTheOracle(long coalesceMs) throws Exception {
    Scenario sc = generate(7);
    StreamExecutionEnvironment env = environment("none");
    check(
        sc,
        run(
            env,
            sc,
            env.fromData(sc.items, EventTypeInfo.ITEM_EVENT).setParallelism(1),
            Duration.ofMillis(coalesceMs)));
  }

  /**
   * A task fails once mid-stream, after a checkpoint completed; the job restarts from it. Through
   * the checkpointed collect sink every update, alert and dead letter must arrive exactly once: a
   * replayed update would repeat a seq, a lost one leave a gap, and the final answers must still
   * equal the oracle.
   */
  @ParameterizedTest(name = "coalesce {0} ms")
  @ValueSource(longs = {0, 20})
  void survivesAFailureWithNothingLostOrDuplicated(long coalesceMs) throws Exception {
    Scenario sc = generate(11);
    StreamExecutionEnvironment env = environment("fixed-delay");
    FailOnce.reset(sc.items.size() / 2);
    DataStream<ItemEvent> items =
        env.fromData(sc.items, EventTypeInfo.ITEM_EVENT)
            .setParallelism(1)
            .map(new FailOnce())
            .returns(EventTypeInfo.ITEM_EVENT)
            .setParallelism(1);
    check(sc, run(env, sc, items, Duration.ofMillis(coalesceMs)));
    assertThat(FailOnce.failed()).as("the induced failure happened").isTrue();
  }

  /** Fails the task once, at a given record, but only after a checkpoint has completed. */
  static final class FailOnce extends RichMapFunction<ItemEvent, ItemEvent>
      implements CheckpointListener {
    private static final AtomicBoolean FAILED = new AtomicBoolean();
    private static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
    private static volatile int failAt;
    private int seen;

    static void reset(int at) {
      FAILED.set(false);
      CHECKPOINTED.set(false);
      failAt = at;
    }

    static boolean failed() {
      return FAILED.get();
    }

    @Override
    public ItemEvent map(ItemEvent e) throws Exception {
      // Slow enough for checkpoints to happen while records flow; past the failure point, slower
      // still until one has completed (the task must not block: barriers pass between records).
      boolean due = ++seen >= failAt && !FAILED.get();
      Thread.sleep(due && !CHECKPOINTED.get() ? 10 : 1);
      if (due && CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("induced failure at record " + seen);
      }
      return e;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      CHECKPOINTED.set(true);
    }
  }

  private record Outputs(
      List<TopKUpdate> updates, List<ThresholdMatch> alerts, List<DeadLetter> deadLetters) {}

  private static Outputs run(
      StreamExecutionEnvironment env, Scenario sc, DataStream<ItemEvent> items, Duration coalesce)
      throws Exception {
    SimilarityJoin.Result join =
        SimilarityJoin.builder()
            .items(items)
            .queries(env.fromData(sc.queries, EventTypeInfo.QUERY_EVENT).setParallelism(1))
            .shards(SHARDS)
            .maxK(100)
            .bucketCapacity(8)
            .coalesceUpdates(coalesce)
            .build();
    CloseableIterator<TopKUpdate> updates = join.updates().collectAsync();
    CloseableIterator<ThresholdMatch> alerts = join.alerts().collectAsync();
    CloseableIterator<DeadLetter> dead = join.deadLetters().collectAsync();
    env.execute("simjoin IT");
    Outputs out = new Outputs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    updates.forEachRemaining(out.updates::add);
    alerts.forEachRemaining(out.alerts::add);
    dead.forEachRemaining(out.deadLetters::add);
    return out;
  }

  private static Scenario generate(long seed) {
    Scenario sc = new Scenario();
    SplittableRandom r = new SplittableRandom(seed);
    String[] namespaces = {"books", "films", "music"};
    List<ItemEvent> items = sc.items;
    List<QueryEvent> queries = sc.queries;
    Map<String, Map<String, float[]>> live = sc.live;
    Map<String, Standing> standing = sc.standing;
    Set<String> cancelled = sc.cancelled;
    Map<String, Integer> registrations = sc.registrations;
    Map<DeadLetter.Reason, Integer> expectedDead = sc.expectedDead;
    long ts = 1_000;
    for (String ns : namespaces) {
      live.put(ns, new HashMap<>());
    }
    for (int i = 0; i < 1500; i++) {
      String ns = namespaces[r.nextInt(namespaces.length)];
      Map<String, float[]> l = live.get(ns);
      int op = r.nextInt(10);
      if (op < 7 || l.isEmpty()) {
        String id =
            !l.isEmpty() && r.nextInt(5) == 0 ? JoinOracle.pick(r, l.keySet()) : ns + "-i" + i;
        float[] v = JoinOracle.vector(r, D);
        items.add(ItemEvent.upsert(ns, id, v, ts++));
        l.put(id, v);
      } else {
        String id = JoinOracle.pick(r, l.keySet());
        items.add(ItemEvent.delete(ns, id, ts++));
        l.remove(id);
      }
    }
    // bad items, late enough that every shard has fixed its dimension
    float[] nan = JoinOracle.vector(r, D);
    nan[3] = Float.NaN;
    items.add(ItemEvent.of("books", "bad-nan", ItemEvent.Op.UPSERT, nan, ts++));
    items.add(ItemEvent.of("books", "", ItemEvent.Op.UPSERT, JoinOracle.vector(r, D), ts++));
    items.add(ItemEvent.delete("films", "never-upserted", ts++));
    expectedDead.merge(DeadLetter.Reason.NON_FINITE_COMPONENT, 1, Integer::sum);
    expectedDead.merge(DeadLetter.Reason.EMPTY_ID, 1, Integer::sum);
    expectedDead.merge(DeadLetter.Reason.UNKNOWN_ITEM, 1, Integer::sum);
    items.add(ItemEvent.upsert("bad\u001fns", "x", JoinOracle.vector(r, D), ts++));
    expectedDead.merge(DeadLetter.Reason.INVALID_NAMESPACE, 1, Integer::sum);

    for (int i = 0; i < 80; i++) {
      String ns = namespaces[r.nextInt(namespaces.length)];
      String id = "q" + r.nextInt(40); // collisions are re-registers
      String key = ns + "/" + id;
      int op = r.nextInt(10);
      if (op < 7) {
        float[] v = JoinOracle.vector(r, D);
        int k = 1 + r.nextInt(8);
        Float threshold = r.nextInt(3) == 0 ? (float) (1 + r.nextDouble()) : null;
        queries.add(QueryEvent.of(ns, id, QueryEvent.Op.REGISTER, v, k, threshold, ts++));
        standing.put(key, new Standing(ns, id, v, k, threshold));
        registrations.merge(key, 1, Integer::sum);
        cancelled.remove(key);
      } else if (op < 9 && standing.containsKey(key)) {
        queries.add(QueryEvent.cancel(ns, id, ts++));
        standing.remove(key);
        cancelled.add(key);
      } else {
        queries.add(
            QueryEvent.once(ns, "once-" + i, JoinOracle.vector(r, D), 1 + r.nextInt(5), ts++));
      }
    }
    queries.add(
        QueryEvent.of(
            "books", "bad-k", QueryEvent.Op.REGISTER, JoinOracle.vector(r, D), 0, null, ts++));
    queries.add(QueryEvent.cancel("music", "never-registered", ts++));
    expectedDead.merge(DeadLetter.Reason.K_NOT_POSITIVE, 1, Integer::sum);
    expectedDead.merge(DeadLetter.Reason.UNKNOWN_QUERY, 1, Integer::sum);
    queries.add(QueryEvent.once("bad\u001fns", "q", JoinOracle.vector(r, D), 3, ts++));
    expectedDead.merge(DeadLetter.Reason.INVALID_NAMESPACE, 1, Integer::sum);

    return sc;
  }

  private static void check(Scenario sc, Outputs out) {
    Map<String, Map<String, float[]>> live = sc.live;
    Map<String, Standing> standing = sc.standing;
    Map<String, Integer> registrations = sc.registrations;
    Map<String, TopKUpdate> last = new HashMap<>();
    Map<String, Long> lastSeq = new HashMap<>();
    for (TopKUpdate u : out.updates) {
      String key = u.namespace() + "/" + u.queryId();
      long prev = lastSeq.getOrDefault(key, 0L);
      boolean restart =
          u.seq() == 1
              && last.containsKey(key)
              && last.get(key).cause().kind() == UpdateCause.Kind.CANCELLED;
      if (u.seq() != prev + 1 && !restart && !u.queryId().startsWith("once-")) {
        fail("seq of " + key + " went from " + prev + " to " + u.seq());
      }
      lastSeq.put(key, u.seq());
      last.put(key, u);
    }
    for (Standing s : standing.values()) {
      TopKUpdate u = last.get(s.ns + "/" + s.id);
      assertThat(u).as("an update for %s/%s", s.ns, s.id).isNotNull();
      JoinOracle.assertTopK(s.ns + "/" + s.id, s.v, s.k, u.matches(), live.get(s.ns));
    }
    for (String key : sc.cancelled) {
      assertThat(last.get(key).cause().kind()).as(key).isEqualTo(UpdateCause.Kind.CANCELLED);
    }

    // Alerts carry no registration, so they are checked for queries registered exactly once:
    // alerts minus retractions must be exactly the live items at or above the threshold.
    Map<String, Set<String>> liveAlerts = new HashMap<>();
    for (ThresholdMatch a : out.alerts) {
      String key = a.namespace() + "/" + a.queryId();
      if (registrations.getOrDefault(key, 0) != 1) {
        continue;
      }
      Set<String> s = liveAlerts.computeIfAbsent(key, x -> new HashSet<>());
      if (a.isRetraction()) {
        if (!s.remove(a.itemId())) {
          fail("retraction of " + a.itemId() + " for " + key + " without an alert");
        }
      } else if (!s.add(a.itemId())) {
        fail("duplicate alert of " + a.itemId() + " for " + key);
      }
    }
    int checkedAlerts = 0;
    for (Standing s : standing.values()) {
      if (s.threshold == null || registrations.get(s.ns + "/" + s.id) != 1) {
        continue;
      }
      checkedAlerts++;
      Set<String> got = liveAlerts.getOrDefault(s.ns + "/" + s.id, Set.of());
      for (Map.Entry<String, float[]> e : live.get(s.ns).entrySet()) {
        double score = JoinOracle.dot(s.v, e.getValue());
        double tol = 1e-5 * (1 + Math.abs(score));
        if (score >= s.threshold + tol && !got.contains(e.getKey())) {
          fail(s.ns + "/" + s.id + " has no live alert for " + e.getKey() + " at " + score);
        }
        if (score < s.threshold - tol && got.contains(e.getKey())) {
          fail(s.ns + "/" + s.id + " has a live alert for " + e.getKey() + " at " + score);
        }
      }
    }

    assertThat(checkedAlerts).as("threshold queries checked").isPositive();

    Map<DeadLetter.Reason, Integer> gotDead = new EnumMap<>(DeadLetter.Reason.class);
    for (DeadLetter d : out.deadLetters) {
      gotDead.merge(d.reason(), 1, Integer::sum);
    }
    assertThat(gotDead).isEqualTo(sc.expectedDead);
  }

  private StreamExecutionEnvironment environment(String restartStrategy) {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", "rocksdb");
    conf.setString("execution.checkpointing.incremental", "true");
    conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
    conf.setString("execution.checkpointing.interval", "200 ms");
    conf.setString("pipeline.generic-types", "false");
    conf.setString("restart-strategy.type", restartStrategy);
    conf.setString("restart-strategy.fixed-delay.attempts", "2");
    conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
    conf.setString("parallelism.default", "2");
    return StreamExecutionEnvironment.getExecutionEnvironment(conf);
  }
}
