package io.simjoin.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.EventTypeInfo;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  private static final int SHARDS = 3;

  @TempDir Path checkpoints;

  @ParameterizedTest(name = "coalesce {0} ms")
  @ValueSource(longs = {0, 20})
  void finalTopKAlertsAndDeadLettersMatchTheOracle(long coalesceMs) throws Exception {
    JoinScenario sc = JoinScenario.generate(7);
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
    JoinScenario sc = JoinScenario.generate(11);
    StreamExecutionEnvironment env = environment("fixed-delay");
    FailOnce.reset(sc.items.size() / 2);
    DataStream<ItemEvent> items =
        env.fromData(sc.items, EventTypeInfo.ITEM_EVENT)
            .setParallelism(1)
            .map(new FailOnce<ItemEvent>())
            .returns(EventTypeInfo.ITEM_EVENT)
            .setParallelism(1);
    check(sc, run(env, sc, items, Duration.ofMillis(coalesceMs)));
    assertThat(FailOnce.failed()).as("the induced failure happened").isTrue();
  }

  private static void check(JoinScenario sc, Outputs out) {
    sc.check(out.updates, out.alerts, out.deadLetters);
  }

  private record Outputs(
      List<TopKUpdate> updates, List<ThresholdMatch> alerts, List<DeadLetter> deadLetters) {}

  private static Outputs run(
      StreamExecutionEnvironment env,
      JoinScenario sc,
      DataStream<ItemEvent> items,
      Duration coalesce)
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
