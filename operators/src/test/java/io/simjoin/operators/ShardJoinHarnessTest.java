package io.simjoin.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.join.FlinkShardState;
import io.simjoin.operators.join.JoinKeys;
import io.simjoin.operators.join.JoinOutput;
import io.simjoin.operators.join.PartialTopK;
import io.simjoin.operators.validation.EventValidator;
import io.simjoin.state.flink.MapStateNodeStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ShardJoin} under Flink's two-input keyed harness on the heap and the RocksDB backends,
 * generic types disabled, on a seeded stream over three keys: namespace "alpha" in two shards,
 * "beta" in one. Every output of every event is checked against a brute-force model of each key
 * (the shard's items, the namespace's standing queries): partials are exact and sent exactly for
 * the queries whose top-k changed, alerts and dead letters are the expected ones.
 */
class ShardJoinHarnessTest {
  private static final int D = 6;
  private static final String A = "alpha";
  private static final String B = "beta";

  enum Backend {
    HASH_MAP,
    ROCKSDB;

    StateBackend create() {
      return this == HASH_MAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend();
    }
  }

  private static int shardsOf(String ns) {
    return A.equals(ns) ? 2 : 1;
  }

  private static String itemKey(ItemEvent e) {
    return JoinKeys.shard(e.namespace(), SimilarityJoin.shardOf(e.id(), shardsOf(e.namespace())));
  }

  private static List<String> keysOf(String ns) {
    List<String> keys = new ArrayList<>();
    for (int s = 0; s < shardsOf(ns); s++) {
      keys.add(JoinKeys.shard(ns, s));
    }
    return keys;
  }

  private static int shardOfKey(String key) {
    return Integer.parseInt(key.substring(key.lastIndexOf(JoinKeys.SEPARATOR) + 1));
  }

  // ------------------------------------------------------------------ the stream

  private static List<Object> generate(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Object> events = new ArrayList<>();
    Map<String, Set<String>> live = new HashMap<>();
    Map<String, Map<String, float[]>> vectors = new HashMap<>();
    live.put(A, new TreeSet<>());
    live.put(B, new TreeSet<>());
    vectors.put(A, new HashMap<>());
    vectors.put(B, new HashMap<>());
    long ts = 1_000;
    for (int i = 0; i < n; i++) {
      String ns = r.nextInt(3) == 0 ? B : A;
      Set<String> l = live.get(ns);
      int c = r.nextInt(100);
      if (c < 50 || l.size() < 3) {
        boolean again = !l.isEmpty() && r.nextInt(5) == 0;
        String id = again ? pick(r, l) : ns + "-i" + i;
        // an unchanged vector must change nothing
        float[] v = again && r.nextInt(4) == 0 ? vectors.get(ns).get(id) : JoinOracle.vector(r, D);
        events.add(ItemEvent.upsert(ns, id, v, ts++));
        l.add(id);
        vectors.get(ns).put(id, v);
      } else if (c < 70) {
        String id = pick(r, l);
        events.add(ItemEvent.delete(ns, id, ts++));
        l.remove(id);
      } else if (c < 73) {
        events.add(ItemEvent.delete(ns, "ghost-" + i, ts++));
      } else if (c < 87) {
        String id = "q" + r.nextInt(6);
        Float threshold = r.nextInt(3) == 0 ? (float) (0.8 + r.nextDouble()) : null;
        events.add(
            QueryEvent.of(
                ns,
                id,
                QueryEvent.Op.REGISTER,
                JoinOracle.vector(r, D),
                1 + r.nextInt(5),
                threshold,
                ts++));
      } else if (c < 94) {
        // a cancel of a query that may or may not be registered
        events.add(QueryEvent.cancel(ns, "q" + r.nextInt(8), ts++));
      } else {
        Float threshold = r.nextBoolean() ? (float) (0.8 + r.nextDouble()) : null;
        events.add(
            QueryEvent.of(
                ns,
                "once-" + i,
                QueryEvent.Op.ONCE,
                JoinOracle.vector(r, D),
                1 + r.nextInt(4),
                threshold,
                ts++));
      }
    }
    return events;
  }

  /** Deletes every live item and cancels every standing query, per the model. */
  private static List<Object> drain(Model m, long ts) {
    List<Object> events = new ArrayList<>();
    Map<String, Set<String>> queries = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, float[]>> e : m.items.entrySet()) {
      String ns = e.getKey().substring(0, e.getKey().indexOf(JoinKeys.SEPARATOR));
      for (String id : new TreeSet<>(e.getValue().keySet())) {
        events.add(ItemEvent.delete(ns, id, ts++));
      }
    }
    for (Map.Entry<String, Map<String, Standing>> e : m.standing.entrySet()) {
      String ns = e.getKey().substring(0, e.getKey().indexOf(JoinKeys.SEPARATOR));
      queries.computeIfAbsent(ns, x -> new TreeSet<>()).addAll(e.getValue().keySet());
    }
    for (Map.Entry<String, Set<String>> e : queries.entrySet()) {
      for (String id : e.getValue()) {
        events.add(QueryEvent.cancel(e.getKey(), id, ts++));
      }
    }
    return events;
  }

  // ------------------------------------------------------------------ the model

  private record Standing(float[] v, int k, Float threshold, long epoch) {}

  /** Per key: the shard's items and the standing queries that shard holds. */
  private static final class Model {
    final Map<String, Map<String, float[]>> items = new HashMap<>();
    final Map<String, Map<String, Standing>> standing = new HashMap<>();

    Map<String, float[]> items(String key) {
      return items.computeIfAbsent(key, x -> new HashMap<>());
    }

    Map<String, Standing> standing(String key) {
      return standing.computeIfAbsent(key, x -> new LinkedHashMap<>());
    }

    boolean empty() {
      return items.values().stream().allMatch(Map::isEmpty)
          && standing.values().stream().allMatch(Map::isEmpty);
    }
  }

  /** The exact top-k of a vector over some items: best first, ties by id. */
  private static List<Map.Entry<String, Double>> topK(
      float[] q, int k, Map<String, float[]> items) {
    List<Map.Entry<String, Double>> all = new ArrayList<>();
    for (Map.Entry<String, float[]> e : items.entrySet()) {
      all.add(Map.entry(e.getKey(), JoinOracle.dot(q, e.getValue())));
    }
    all.sort(
        Comparator.comparingDouble((Map.Entry<String, Double> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    return new ArrayList<>(all.subList(0, Math.min(k, all.size())));
  }

  /** What one event emitted. */
  private record Emitted(
      List<PartialTopK> partials, List<ThresholdMatch> alerts, List<DeadLetter> dead) {
    List<String> lines() {
      List<String> l = new ArrayList<>();
      partials.forEach(p -> l.add("P " + p));
      alerts.forEach(a -> l.add("A " + a));
      dead.forEach(d -> l.add("D " + d.reason() + " " + d.describeSubject()));
      return l;
    }
  }

  /** Checks an event's outputs against the model, then applies the event to the model. */
  private static void check(Model m, String key, Object event, Emitted out) {
    int shard = shardOfKey(key);
    if (event instanceof ItemEvent e) {
      Map<String, float[]> items = m.items(key);
      Map<String, Standing> qs = m.standing(key);
      float[] old = items.get(e.id());
      if (e.op() == ItemEvent.Op.DELETE && old == null) {
        assertThat(out.dead).as("dead letters of %s", e).hasSize(1);
        assertThat(out.dead.get(0).reason()).isEqualTo(DeadLetter.Reason.UNKNOWN_ITEM);
        assertThat(out.partials).as("partials of %s", e).isEmpty();
        assertThat(out.alerts).as("alerts of %s", e).isEmpty();
        return;
      }
      assertThat(out.dead).as("dead letters of %s", e).isEmpty();
      Map<String, float[]> after = new HashMap<>(items);
      if (e.op() == ItemEvent.Op.DELETE) {
        after.remove(e.id());
      } else {
        after.put(e.id(), e.vector());
      }
      boolean unchanged =
          old != null && e.op() == ItemEvent.Op.UPSERT && Arrays.equals(old, e.vector());
      Map<String, JoinOutput.Cause> changed = new LinkedHashMap<>();
      Set<String> wantAlerts = new HashSet<>();
      for (Map.Entry<String, Standing> q : qs.entrySet()) {
        Standing s = q.getValue();
        List<Map.Entry<String, Double>> before = topK(s.v, s.k, items);
        List<Map.Entry<String, Double>> now = topK(s.v, s.k, after);
        if (!unchanged && !before.equals(now)) {
          boolean held = before.stream().anyMatch(x -> x.getKey().equals(e.id()));
          changed.put(
              q.getKey(), held ? JoinOutput.Cause.ITEM_DELETED : JoinOutput.Cause.ITEM_UPSERTED);
        }
        if (s.threshold != null && !unchanged) {
          if (old != null && JoinOracle.dot(s.v, old) >= s.threshold) {
            wantAlerts.add(q.getKey() + " retract " + e.id());
          }
          if (e.op() == ItemEvent.Op.UPSERT && JoinOracle.dot(s.v, e.vector()) >= s.threshold) {
            wantAlerts.add(q.getKey() + " match " + e.id());
          }
        }
      }
      Map<String, PartialTopK> got = new LinkedHashMap<>();
      for (PartialTopK p : out.partials) {
        assertThat(got.put(p.queryId(), p))
            .as("two partials of %s for %s", p.queryId(), e)
            .isNull();
      }
      assertThat(got.keySet())
          .as("queries whose partial %s changed", e)
          .isEqualTo(changed.keySet());
      for (PartialTopK p : got.values()) {
        Standing s = qs.get(p.queryId());
        assertThat(p.isCancelMark()).isFalse();
        assertThat(p.namespace()).isEqualTo(e.namespace());
        assertThat(p.shard()).isEqualTo(shard);
        assertThat(p.epoch()).isEqualTo(s.epoch);
        assertThat(p.k()).isEqualTo(s.k);
        assertThat(p.cause()).as("cause of %s after %s", p, e).isEqualTo(changed.get(p.queryId()));
        assertThat(p.itemId()).isEqualTo(e.id());
        assertThat(p.timestamp()).isEqualTo(e.timestamp());
        JoinOracle.assertTopKMatches(p + " after " + e, s.v, s.k, p.matches(), after);
      }
      assertThat(alertSet(out.alerts)).as("alerts of %s", e).isEqualTo(wantAlerts);
      items.clear();
      items.putAll(after);
      return;
    }
    QueryEvent q = (QueryEvent) event;
    Map<String, Standing> qs = m.standing(key);
    Map<String, float[]> items = m.items(key);
    switch (q.op()) {
      case CANCEL -> {
        Standing s = qs.remove(q.id());
        if (s == null) {
          // every shard sees the cancel, only shard 0 reports it
          assertThat(out.dead)
              .as("dead letters of %s on shard %d", q, shard)
              .hasSize(shard == 0 ? 1 : 0);
          if (shard == 0) {
            assertThat(out.dead.get(0).reason()).isEqualTo(DeadLetter.Reason.UNKNOWN_QUERY);
          }
          assertThat(out.partials).isEmpty();
        } else {
          assertThat(out.dead).isEmpty();
          assertThat(out.partials)
              .containsExactly(
                  PartialTopK.cancelMark(q.namespace(), q.id(), shard, s.epoch, q.timestamp()));
        }
        assertThat(out.alerts).isEmpty();
      }
      case REGISTER, ONCE -> {
        assertThat(out.dead).as("dead letters of %s", q).isEmpty();
        assertThat(out.partials).as("partials of %s on shard %d", q, shard).hasSize(1);
        PartialTopK p = out.partials.get(0);
        Float threshold = q.thresholdOrNull();
        JoinOutput.Cause cause =
            q.op() == QueryEvent.Op.ONCE ? JoinOutput.Cause.ONCE : JoinOutput.Cause.REGISTERED;
        assertThat(p.cause()).isEqualTo(cause);
        assertThat(p.shard()).isEqualTo(shard);
        assertThat(p.k()).isEqualTo(q.k());
        // timestamps grow in this stream, so a (re-)registration's epoch is its timestamp
        assertThat(p.epoch()).isEqualTo(q.timestamp());
        assertThat(p.itemId()).isNull();
        JoinOracle.assertTopKMatches(p + " for " + q, q.vector(), q.k(), p.matches(), items);
        Set<String> wantAlerts = new HashSet<>();
        if (threshold != null) {
          for (Map.Entry<String, float[]> i : items.entrySet()) {
            if (JoinOracle.dot(q.vector(), i.getValue()) >= threshold) {
              wantAlerts.add(q.id() + " match " + i.getKey());
            }
          }
        }
        assertThat(alertSet(out.alerts)).as("alerts of %s", q).isEqualTo(wantAlerts);
        if (q.op() == QueryEvent.Op.REGISTER) {
          qs.put(q.id(), new Standing(q.vector(), q.k(), threshold, q.timestamp()));
        }
      }
    }
  }

  private static Set<String> alertSet(List<ThresholdMatch> alerts) {
    Set<String> s = new HashSet<>();
    for (ThresholdMatch a : alerts) {
      assertThat(s.add(a.queryId() + (a.isRetraction() ? " retract " : " match ") + a.itemId()))
          .as("duplicate %s", a)
          .isTrue();
    }
    return s;
  }

  // ------------------------------------------------------------------ the harness

  /** ShardJoin under the harness; feeds events and returns each event's outputs. */
  private static final class Run implements AutoCloseable {
    final KeyedTwoInputStreamOperatorTestHarness<
            String, ItemEvent, Tuple2<Integer, QueryEvent>, PartialTopK>
        h;

    Run(Backend backend, OperatorSubtaskState restore) throws Exception {
      h =
          new KeyedTwoInputStreamOperatorTestHarness<>(
              new ShardJoinOperator(new ShardJoin(EventValidator.builder().build(), 8, 16)),
              ShardJoinHarnessTest::itemKey,
              t -> JoinKeys.shard(t.f1.namespace(), t.f0),
              Types.STRING);
      h.setStateBackend(backend.create());
      Configuration conf = new Configuration();
      conf.set(PipelineOptions.GENERIC_TYPES, false);
      h.getExecutionConfig().configure(conf, ShardJoinHarnessTest.class.getClassLoader());
      assertThat(h.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
      if (restore != null) {
        h.initializeState(restore);
      }
      h.open();
    }

    /**
     * Feeds the events (a query to every shard of its namespace, as the fan-out does); checks each
     * against the model when it is not null; returns the output lines, one list per event.
     */
    List<List<String>> feed(List<Object> events, Model model) throws Exception {
      List<List<String>> trace = new ArrayList<>();
      for (Object ev : events) {
        List<String> lines = new ArrayList<>();
        if (ev instanceof ItemEvent e) {
          h.processElement1(new StreamRecord<>(e, e.timestamp()));
          Emitted out = drainOutputs();
          if (model != null) {
            check(model, itemKey(e), e, out);
          }
          lines.addAll(out.lines());
        } else {
          QueryEvent q = (QueryEvent) ev;
          for (String key : keysOf(q.namespace())) {
            h.processElement2(new StreamRecord<>(Tuple2.of(shardOfKey(key), q), q.timestamp()));
            Emitted out = drainOutputs();
            if (model != null) {
              check(model, key, q, out);
            }
            lines.addAll(out.lines());
          }
        }
        trace.add(lines);
      }
      return trace;
    }

    @SuppressWarnings("unchecked")
    private Emitted drainOutputs() {
      List<PartialTopK> partials = new ArrayList<>();
      for (Object o : h.getOutput()) {
        if (o instanceof StreamRecord<?> r) {
          partials.add((PartialTopK) r.getValue());
        }
      }
      h.getOutput().clear();
      List<ThresholdMatch> alerts = new ArrayList<>();
      List<DeadLetter> dead = new ArrayList<>();
      var a = h.getSideOutput(ShardJoin.ALERTS);
      if (a != null) {
        a.forEach(r -> alerts.add(r.getValue()));
        a.clear();
      }
      var d = h.getSideOutput(ShardJoin.DEAD_LETTERS);
      if (d != null) {
        d.forEach(r -> dead.add(r.getValue()));
        d.clear();
      }
      return new Emitted(partials, alerts, dead);
    }

    OperatorSubtaskState snapshot() throws Exception {
      return h.snapshot(1L, 1L);
    }

    /** The subtask's size gauges must say what the model holds over all keys. */
    void assertSizeGauges(Model m) {
      ShardJoin join = (ShardJoin) ((ShardJoinOperator) h.getOperator()).getUserFunction();
      assertThat(join.itemsHeld())
          .as("items gauge")
          .isEqualTo(m.items.values().stream().mapToLong(Map::size).sum());
      assertThat(join.standingQueriesHeld())
          .as("standing queries gauge (once per shard)")
          .isEqualTo(m.standing.values().stream().mapToLong(Map::size).sum());
    }

    /**
     * Keys with entries in a state as a checkpoint would see it: the operator holds tree changes of
     * the current key in memory until the next barrier, so the barrier's preparation runs first.
     */
    long keysIn(String stateName) throws Exception {
      h.prepareSnapshotPreBarrier(0L);
      KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
      try (Stream<String> keys = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
        return keys.count();
      }
    }

    @Override
    public void close() throws Exception {
      h.close();
    }
  }

  private static final List<String> STATE_NAMES =
      List.of(
          MapStateNodeStore.nodesDescriptor("items").getName(),
          MapStateNodeStore.locationsDescriptor("items").getName(),
          MapStateNodeStore.metaDescriptor("items").getName(),
          MapStateNodeStore.nodesDescriptor("queries").getName(),
          MapStateNodeStore.locationsDescriptor("queries").getName(),
          MapStateNodeStore.metaDescriptor("queries").getName(),
          FlinkShardState.QUERIES_STATE,
          FlinkShardState.COUNT_STATE);

  private static List<String> flat(List<List<String>> trace) {
    return trace.stream().flatMap(List::stream).toList();
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void everyOutputIsExactAndARestoreContinuesExactlyAndDrainingLeavesNoState(Backend backend)
      throws Exception {
    List<Object> events = generate(17, 700);
    List<Object> first = events.subList(0, 350);
    List<Object> second = events.subList(350, events.size());

    Model model = new Model();
    List<List<String>> uninterrupted;
    try (Run run = new Run(backend, null)) {
      uninterrupted = run.feed(events, model);
      run.assertSizeGauges(model);
    }
    assertThat(model.standing.values().stream().mapToInt(Map::size).sum())
        .as("standing queries at the end")
        .isPositive();
    assertThat(flat(uninterrupted)).anyMatch(l -> l.startsWith("A "));
    assertThat(flat(uninterrupted)).anyMatch(l -> l.startsWith("D UNKNOWN_ITEM"));
    assertThat(flat(uninterrupted)).anyMatch(l -> l.startsWith("D UNKNOWN_QUERY"));
    assertThat(flat(uninterrupted)).anyMatch(l -> l.contains("cause=ITEM_DELETED"));

    Model restoredModel = new Model();
    List<List<String>> interrupted = new ArrayList<>();
    OperatorSubtaskState snapshot;
    try (Run run = new Run(backend, null)) {
      interrupted.addAll(run.feed(first, restoredModel));
      snapshot = run.snapshot();
    }
    try (Run run = new Run(backend, snapshot)) {
      run.assertSizeGauges(restoredModel); // counted from the restored keys, before any event
      interrupted.addAll(run.feed(second, restoredModel));
      assertThat(interrupted).isEqualTo(uninterrupted);
      run.assertSizeGauges(restoredModel);

      for (String name : STATE_NAMES) {
        assertThat(run.keysIn(name)).as("keys in %s before draining", name).isPositive();
      }
      run.feed(drain(restoredModel, 1_000_000), restoredModel);
      assertThat(restoredModel.empty()).isTrue();
      run.assertSizeGauges(restoredModel);
      for (String name : STATE_NAMES) {
        assertThat(run.keysIn(name)).as("keys in %s after draining", name).isZero();
      }
    }
  }

  /** The outputs of namespace alpha's events do not depend on whether beta exists. */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void keysDoNotLeakIntoEachOther(Backend backend) throws Exception {
    List<Object> events = generate(23, 500);
    List<Object> alphaOnly = events.stream().filter(e -> A.equals(namespaceOf(e))).toList();
    List<List<String>> all;
    List<List<String>> alone;
    try (Run run = new Run(backend, null)) {
      all = run.feed(events, new Model());
    }
    try (Run run = new Run(backend, null)) {
      alone = run.feed(alphaOnly, new Model());
    }
    List<List<String>> alphaOfAll = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      if (A.equals(namespaceOf(events.get(i)))) {
        alphaOfAll.add(all.get(i));
      }
    }
    assertThat(alone).isEqualTo(alphaOfAll);
    assertThat(flat(alone)).isNotEmpty();
  }

  private static String namespaceOf(Object e) {
    return e instanceof ItemEvent i ? i.namespace() : ((QueryEvent) e).namespace();
  }

  private static String pick(SplittableRandom r, Set<String> ids) {
    List<String> l = new ArrayList<>(ids);
    return l.get(r.nextInt(l.size()));
  }
}
