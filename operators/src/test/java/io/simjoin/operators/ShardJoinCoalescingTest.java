package io.simjoin.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.operators.ShardJoinHarnessTest.Backend;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.join.JoinKeys;
import io.simjoin.operators.join.JoinOutput;
import io.simjoin.operators.join.PartialTopK;
import io.simjoin.operators.validation.EventValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ShardJoin} with coalesced updates under the keyed harness, one namespace in two shards:
 * item changes emit nothing until the interval is over, a checkpoint barrier comes or the input
 * ends; then each changed standing query's partial leaves each shard once, and it is the exact
 * top-k of that shard's items at that moment (brute force, computed here). Registrations and
 * cancels are never held back, a query cancelled while pending is not sent again, and a restore
 * from a checkpoint taken right after a flush continues exactly.
 */
class ShardJoinCoalescingTest {
  private static final int D = 5;
  private static final int SHARDS = 2;
  private static final String NS = "ns";
  private static final long INTERVAL_MS = 100;

  /** The brute-force model: each shard's items and the namespace's standing queries. */
  private static final class Model {
    final Map<Integer, Map<String, float[]>> items = new HashMap<>();
    final Map<String, float[]> queries = new LinkedHashMap<>();
    final Map<String, Integer> ks = new HashMap<>();

    Map<String, float[]> shard(int s) {
      return items.computeIfAbsent(s, x -> new HashMap<>());
    }
  }

  private static final class Run implements AutoCloseable {
    final KeyedTwoInputStreamOperatorTestHarness<
            String, ItemEvent, Tuple2<Integer, QueryEvent>, PartialTopK>
        h;
    long now;

    Run(Backend backend, OperatorSubtaskState restore) throws Exception {
      h =
          new KeyedTwoInputStreamOperatorTestHarness<>(
              new ShardJoinOperator(
                  new ShardJoin(EventValidator.builder().build(), 4, 16, INTERVAL_MS)),
              e -> JoinKeys.shard(e.namespace(), SimilarityJoin.shardOf(e.id(), SHARDS)),
              t -> JoinKeys.shard(t.f1.namespace(), t.f0),
              Types.STRING);
      h.setStateBackend(backend.create());
      Configuration conf = new Configuration();
      conf.set(PipelineOptions.GENERIC_TYPES, false);
      h.getExecutionConfig().configure(conf, ShardJoinCoalescingTest.class.getClassLoader());
      if (restore != null) {
        h.initializeState(restore);
      }
      h.open();
    }

    void item(ItemEvent e) throws Exception {
      h.processElement1(new StreamRecord<>(e, e.timestamp()));
    }

    void query(QueryEvent q) throws Exception {
      for (int s = 0; s < SHARDS; s++) {
        h.processElement2(new StreamRecord<>(Tuple2.of(s, q), q.timestamp()));
      }
    }

    void advance(long ms) throws Exception {
      now += ms;
      h.setProcessingTime(now);
    }

    List<PartialTopK> drain() {
      List<PartialTopK> out = new ArrayList<>();
      for (Object o : h.getOutput()) {
        if (o instanceof StreamRecord<?> r) {
          out.add((PartialTopK) r.getValue());
        }
      }
      h.getOutput().clear();
      return out;
    }

    @Override
    public void close() throws Exception {
      h.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void changesWaitForTheIntervalABarrierOrTheEndAndGoOutOnceAndExact(Backend backend)
      throws Exception {
    SplittableRandom r = new SplittableRandom(3);
    Model m = new Model();
    OperatorSubtaskState snapshot;
    try (Run run = new Run(backend, null)) {
      for (int i = 0; i < 6; i++) {
        register(run, m, "q" + i, 1 + r.nextInt(4), JoinOracle.vector(r, D));
      }
      assertThat(run.drain())
          .as("registrations are answered at once, by every shard")
          .hasSize(6 * SHARDS)
          .allMatch(p -> p.cause() == JoinOutput.Cause.REGISTERED);

      streamItems(run, m, r, 0, 40);
      assertThat(run.drain()).as("item changes wait for the interval").isEmpty();
      run.advance(INTERVAL_MS - 1);
      assertThat(run.drain()).as("not yet").isEmpty();
      run.advance(1);
      assertOncePerChangedQueryAndExact(run.drain(), m);

      // deletes of held items, and a query cancelled while its change is pending
      streamItems(run, m, r, 40, 60);
      deleteSome(run, m, r, 8);
      run.query(QueryEvent.cancel(NS, "q0", 99));
      m.queries.remove("q0");
      List<PartialTopK> marks = run.drain();
      assertThat(marks).hasSize(SHARDS).allMatch(PartialTopK::isCancelMark);
      run.h.prepareSnapshotPreBarrier(1L);
      List<PartialTopK> flushed = run.drain();
      assertThat(flushed).noneMatch(p -> p.queryId().equals("q0"));
      assertOncePerChangedQueryAndExact(flushed, m);
      snapshot = run.h.snapshot(1L, run.now);
      assertThat(run.drain()).as("nothing is left for after the barrier").isEmpty();
    }

    try (Run run = new Run(backend, snapshot)) {
      streamItems(run, m, r, 60, 90);
      deleteSome(run, m, r, 5);
      assertThat(run.drain()).isEmpty();
      run.h.getOperator().finish();
      assertOncePerChangedQueryAndExact(run.drain(), m);
    }
  }

  private static void register(Run run, Model m, String id, int k, float[] v) throws Exception {
    run.query(QueryEvent.register(NS, id, v, k, 1L));
    m.queries.put(id, v);
    m.ks.put(id, k);
  }

  private static void streamItems(Run run, Model m, SplittableRandom r, int from, int to)
      throws Exception {
    for (int i = from; i < to; i++) {
      String id = "i" + i;
      float[] v = JoinOracle.vector(r, D);
      run.item(ItemEvent.upsert(NS, id, v, 1000 + i));
      m.shard(SimilarityJoin.shardOf(id, SHARDS)).put(id, v);
    }
  }

  private static void deleteSome(Run run, Model m, SplittableRandom r, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      int s = r.nextInt(SHARDS);
      if (m.shard(s).isEmpty()) {
        continue;
      }
      String id = JoinOracle.pick(r, m.shard(s).keySet());
      run.item(ItemEvent.delete(NS, id, 5000 + i));
      m.shard(s).remove(id);
    }
  }

  /**
   * At most one partial per (query, shard), each an item-caused one that is exact for the shard's
   * items now; and some were sent (the streams above change every top-k of a fresh index).
   */
  private static void assertOncePerChangedQueryAndExact(List<PartialTopK> out, Model m) {
    assertThat(out).as("something changed").isNotEmpty();
    Map<String, Integer> seen = new HashMap<>();
    for (PartialTopK p : out) {
      String key = p.queryId() + "@" + p.shard();
      assertThat(seen.merge(key, 1, Integer::sum)).as("one partial for %s", key).isEqualTo(1);
      assertThat(p.cause()).isIn(JoinOutput.Cause.ITEM_UPSERTED, JoinOutput.Cause.ITEM_DELETED);
      assertThat(m.queries).containsKey(p.queryId());
      JoinOracle.assertTopKMatches(
          key, m.queries.get(p.queryId()), m.ks.get(p.queryId()), p.matches(), m.shard(p.shard()));
    }
  }
}
