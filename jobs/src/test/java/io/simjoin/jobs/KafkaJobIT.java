package io.simjoin.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.connectors.RawRecord;
import io.simjoin.connectors.SimjoinKafka;
import io.simjoin.connectors.Topics;
import io.simjoin.connectors.WireFormat;
import io.simjoin.connectors.testing.EmbeddedKafka;
import io.simjoin.operators.FailOnce;
import io.simjoin.operators.events.QueryEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real job between a real KRaft broker (in this JVM, on 127.0.0.1) and a Flink MiniCluster with
 * RocksDB and incremental checkpoints; the output is read back with {@code read_committed} and
 * checked against the brute-force oracle of {@link io.simjoin.operators.JoinScenario}.
 */
class KafkaJobIT {
  @RegisterExtension static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  private static final Duration CONVERGE = Duration.ofSeconds(120);

  @TempDir Path checkpoints;

  private static Topics topics(String prefix) throws Exception {
    Topics t = KafkaScenario.prefixed(prefix);
    KAFKA.createTopics(3, t.items(), t.queries(), t.updates(), t.alerts(), t.deadLetters());
    return t;
  }

  private Configuration conf(Topics t, WireFormat format, String group) {
    Configuration c = new Configuration();
    c.set(JobOptions.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
    c.set(JobOptions.ITEMS_TOPIC, t.items());
    c.set(JobOptions.QUERIES_TOPIC, t.queries());
    c.set(JobOptions.UPDATES_TOPIC, t.updates());
    c.set(JobOptions.ALERTS_TOPIC, t.alerts());
    c.set(JobOptions.DEAD_LETTERS_TOPIC, t.deadLetters());
    c.set(JobOptions.FORMAT, format);
    c.set(JobOptions.GROUP_ID, group);
    c.set(JobOptions.SHARDS, 3);
    c.set(JobOptions.MAX_K, 100);
    c.setString("parallelism.default", "2");
    c.setString("execution.checkpointing.interval", "300 ms");
    c.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
    c.setString("restart-strategy.type", "fixed-delay");
    c.setString("restart-strategy.fixed-delay.attempts", "3");
    c.setString("restart-strategy.fixed-delay.delay", "200 ms");
    return SimilarityJoinJob.withJobDefaults(c);
  }

  /**
   * Both formats end to end: registrations, items (deletes half as tombstones) and bad records of
   * every kind on both topics; once the committed output has converged to the oracle, ONCE queries
   * sent after the items must get the current exact top-k.
   */
  @ParameterizedTest
  @EnumSource(WireFormat.class)
  void endToEndMatchesTheOracle(WireFormat format) throws Exception {
    Topics t = topics("e2e-" + format.flagValue() + "-");
    KafkaScenario ks = new KafkaScenario(7, format, t);
    KAFKA.produce(ks.queryRecords);
    KAFKA.produce(ks.itemRecords);

    Configuration conf = conf(t, format, "e2e-" + format.flagValue());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    new SimilarityJoinJob(conf).attachToKafka(env);
    JobClient job = env.executeAsync("simjoin e2e " + format);
    try {
      ks.awaitAndCheck(KAFKA, CONVERGE);
      Map<String, QueryEvent> late = new HashMap<>();
      KAFKA.produce(ks.lateOnceQueries(late, 3));
      KafkaScenario.Outputs out = awaitLateAnswers(ks, late.size());
      ks.checkLateOnce(out.updates(), late);
      ks.check(out);
    } finally {
      cancelAndWait(job);
    }
  }

  /** Cancels and waits until the job is gone, so that nothing writes to the temp dir after. */
  static void cancelAndWait(JobClient job) throws Exception {
    job.cancel().get();
    // returns once the job is gone (its tasks and their checkpoint I/O ended)
    try {
      job.getJobExecutionResult().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception cancelled) {
      // expected: the job was cancelled
    }
  }

  private static KafkaScenario.Outputs awaitLateAnswers(KafkaScenario ks, int n) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    KafkaScenario.Outputs out = ks.read(KAFKA);
    while (lateAnswers(out) < n && System.nanoTime() < deadline) {
      Thread.sleep(500);
      out = ks.read(KAFKA);
    }
    return out;
  }

  private static long lateAnswers(KafkaScenario.Outputs out) {
    return out.updates().stream().filter(u -> u.queryId().startsWith("once-late-")).count();
  }

  /**
   * A task fails once mid-stream after a checkpoint completed; the job restarts from it. The
   * committed output has nothing lost and nothing twice: the oracle's seq check finds every gap and
   * every repeat, and the dead letters are counted exactly.
   */
  @Test
  void survivesAFailureWithNothingLostOrDuplicated() throws Exception {
    Topics t = topics("failover-");
    KafkaScenario ks = new KafkaScenario(11, WireFormat.AVRO, t);
    KAFKA.produce(ks.queryRecords);
    KAFKA.produce(ks.itemRecords);

    Configuration conf = conf(t, WireFormat.AVRO, "failover");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    SimilarityJoinJob job = new SimilarityJoinJob(conf);
    SimjoinKafka kafka = job.kafka();
    FailOnce.reset(ks.itemRecords.size() / 2);
    DataStream<RawRecord> items =
        env.fromSource(kafka.itemSource(), WatermarkStrategy.noWatermarks(), "items")
            .setParallelism(1)
            .map(new FailOnce<RawRecord>())
            .returns(RawRecord.TYPE_INFO)
            .setParallelism(1);
    DataStream<RawRecord> queries =
        env.fromSource(kafka.querySource(), WatermarkStrategy.noWatermarks(), "queries");
    job.attach(items, queries, kafka.sink());
    JobClient client = env.executeAsync("simjoin failover");
    try {
      ks.awaitAndCheck(KAFKA, CONVERGE);
      assertThat(FailOnce.failed()).as("the induced failure happened").isTrue();
    } finally {
      cancelAndWait(client);
    }
  }
}
