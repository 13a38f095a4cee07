package io.simjoin.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.simjoin.connectors.Topics;
import io.simjoin.connectors.WireFormat;
import io.simjoin.connectors.testing.EmbeddedKafka;
import io.simjoin.jobs.cluster.DeploymentSpec;
import io.simjoin.jobs.cluster.FlinkRest;
import io.simjoin.jobs.cluster.StandaloneFlinkCluster;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job jar on a real standalone Flink session cluster: one JobManager and two TaskManagers as
 * separate JVMs on 127.0.0.1 ({@link StandaloneFlinkCluster}), RocksDB with incremental checkpoints
 * in a local directory, a KRaft broker in a child JVM ({@link LocalKafka}), the job submitted and
 * stopped with {@code flink run} / {@code flink stop}, with the settings of {@link DeploymentSpec}
 * that the files under {@code docker/} share. The committed output is read {@code read_committed}
 * and checked against the brute-force oracle of {@link KafkaScenario}.
 *
 * <p>Runs in the {@code cluster} profile, after {@code package} built the job jar: {@code mvn -B
 * verify -Pcluster -pl jobs -am}.
 */
class StandaloneClusterIT {
  private static final Duration CONVERGE = Duration.ofMinutes(3);
  private static final Duration UP = Duration.ofMinutes(2);
  private static final Path JOB_JAR = Path.of("target", "simjoin-job.jar").toAbsolutePath();

  private static Path dir;
  private static LocalKafka kafka;
  private static StandaloneFlinkCluster flink;
  private static final List<ProcessHandle> started = new ArrayList<>();

  @BeforeAll
  static void startBrokerAndCluster() throws Exception {
    assertThat(JOB_JAR)
        .as("the job jar; run in the integration-test phase: mvn verify -Pcluster -pl jobs -am")
        .isRegularFile();
    dir = Path.of("target", "cluster-it").toAbsolutePath();
    FileUtils.deleteDirectory(dir.toFile());
    Files.createDirectories(dir);
    kafka = LocalKafka.start(0);
    started.add(kafka.process());
    Map<String, String> conf = new LinkedHashMap<>(DeploymentSpec.flinkConfig());
    conf.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
    conf.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
    flink = StandaloneFlinkCluster.start(dir.resolve("flink"), conf, DeploymentSpec.TASK_MANAGERS);
  }

  @AfterAll
  static void stopEverything() {
    try {
      if (flink != null) {
        started.addAll(flink.processes());
        flink.close();
      }
    } finally {
      if (kafka != null) {
        kafka.close();
      }
    }
    // pass or fail, nothing this class started may outlive it
    assertThat(started).allSatisfy(p -> assertThat(p.isAlive()).as("pid %d", p.pid()).isFalse());
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList())
        .as("child processes left")
        .isEmpty();
  }

  /**
   * {@code kill -9} of a TaskManager running half the job while items stream in, and a new
   * TaskManager in its place: the job restarts from its last checkpoint and the committed output is
   * the oracle's, with every query's seq contiguous (nothing lost, nothing twice).
   */
  @Test
  void killOneTaskManagerMidStream() throws Exception {
    Topics t = topics("kill-");
    KafkaScenario ks = new KafkaScenario(21, WireFormat.AVRO, t);
    EmbeddedKafka.produce(kafka.bootstrapServers(), ks.queryRecords);
    String job = flink.run(JOB_JAR, DeploymentSpec.JOB_CLASS, parallelism(2), args(t, "kill"));
    FlinkRest rest = flink.rest();
    rest.awaitRunning(job, UP);
    // about 15 s of items: the kill lands while they still arrive
    PacedProducer items = PacedProducer.start(kafka.bootstrapServers(), ks.itemRecords, 25, 250);
    try (Admin admin = admin()) {
      long completed = awaitCheckpointWithOutput(rest, job, admin, t, items);
      StandaloneFlinkCluster.TaskManager victim = taskManagerRunning(job);
      long killedAtMs = System.currentTimeMillis();
      long killedAt = System.nanoTime();
      victim.kill();
      Map<TopicPartition, Long> committedAtKill =
          KafkaOffsets.endOffsets(admin, List.of(t.updates()), IsolationLevel.READ_COMMITTED);
      int sentAtKill = items.sent();
      flink.startTaskManager();
      long firstNewMs =
          TimeUnit.NANOSECONDS.toMillis(awaitFirstCommittedAfter(committedAtKill) - killedAt);
      rest.awaitRunning(job, UP);
      JsonNode restored = rest.checkpoints(job).path("latest").path("restored");
      assertThat(restored.path("is_savepoint").asBoolean(true)).as("restored from").isFalse();
      assertThat(restored.path("id").asLong())
          .as("restored checkpoint")
          .isGreaterThanOrEqualTo(completed);
      items.join();
      KafkaScenario.Outputs out = ks.awaitAndCheck(this::committed, CONVERGE);
      SeqAudit audit = SeqAudit.of(out.updates());
      System.out.printf(
          "StandaloneClusterIT kill -9: %s killed after %d of %d items; failure noticed after %d"
              + " ms, checkpoint %d (the last completed was %d) restored after %d ms, first new"
              + " committed update %d ms after the kill; events in %d, updates out %d, alerts %d,"
              + " dead letters %d, lost %d, duplicated %d%n",
          victim.id(),
          sentAtKill,
          ks.itemRecords.size(),
          failureNoticed(job, killedAtMs) - killedAtMs,
          restored.path("id").asLong(),
          completed,
          restored.path("restore_timestamp").asLong() - killedAtMs,
          firstNewMs,
          ks.itemRecords.size() + ks.queryRecords.size(),
          out.updates().size(),
          out.alerts().size(),
          out.deadLetters().size(),
          audit.lost(),
          audit.duplicated());
      assertThat(audit).isEqualTo(new SeqAudit(0, 0));
    } finally {
      items.stop();
      rest.cancel(job, UP);
    }
  }

  /** When the JobManager recorded the first failure at or after {@code sinceMs} (epoch ms). */
  private static long failureNoticed(String job, long sinceMs) throws Exception {
    long first = Long.MAX_VALUE;
    JsonNode entries = flink.rest().get("/jobs/" + job + "/exceptions").path("exceptionHistory");
    for (JsonNode e : entries.path("entries")) {
      long ts = e.path("timestamp").asLong();
      if (ts >= sinceMs) {
        first = Math.min(first, ts);
      }
    }
    if (first == Long.MAX_VALUE) {
      throw new IllegalStateException("the job recorded no failure after the kill: " + entries);
    }
    return first;
  }

  /**
   * Stop with a savepoint at parallelism 2, more input, resume from it at parallelism 3 (the same
   * shards): the output continues exactly where it stopped.
   */
  @Test
  void stopWithSavepointAndResumeAtAnotherParallelism() throws Exception {
    Topics t = topics("rescale-");
    KafkaScenario ks = new KafkaScenario(23, WireFormat.AVRO, t);
    int half = ks.itemRecords.size() / 2;
    EmbeddedKafka.produce(kafka.bootstrapServers(), ks.queryRecords);
    EmbeddedKafka.produce(kafka.bootstrapServers(), ks.itemRecords.subList(0, half));
    List<String> args = args(t, "rescale");
    FlinkRest rest = flink.rest();
    String first = flink.run(JOB_JAR, DeploymentSpec.JOB_CLASS, parallelism(2), args);
    try (Admin admin = admin()) {
      rest.awaitRunning(first, UP);
      // the group's offsets move with completed checkpoints: at the end, the first half is in
      Map<TopicPartition, Long> end =
          KafkaOffsets.endOffsets(admin, List.of(t.items(), t.queries()));
      long deadline = System.nanoTime() + CONVERGE.toNanos();
      while (KafkaOffsets.lag(admin, "rescale", end) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
    }
    String savepoint = flink.stopWithSavepoint(first, dir.resolve("savepoints"));
    int before = ks.read(this::committed).updates().size();
    EmbeddedKafka.produce(
        kafka.bootstrapServers(), ks.itemRecords.subList(half, ks.itemRecords.size()));
    List<String> resume = new ArrayList<>(parallelism(DeploymentSpec.RESCALED_PARALLELISM));
    resume.addAll(List.of("-s", savepoint));
    String second = flink.run(JOB_JAR, DeploymentSpec.JOB_CLASS, resume, args);
    try {
      rest.awaitRunning(second, UP);
      assertThat(rest.parallelisms(second)).contains(DeploymentSpec.RESCALED_PARALLELISM);
      JsonNode restored = rest.checkpoints(second).path("latest").path("restored");
      assertThat(restored.path("is_savepoint").asBoolean())
          .as("restored from a savepoint")
          .isTrue();
      KafkaScenario.Outputs out = ks.awaitAndCheck(this::committed, CONVERGE);
      SeqAudit audit = SeqAudit.of(out.updates());
      System.out.printf(
          "StandaloneClusterIT rescale: stopped at parallelism 2 with %s (%d updates committed),"
              + " resumed at parallelism %d; events in %d, updates out %d, lost %d, duplicated"
              + " %d%n",
          savepoint,
          before,
          DeploymentSpec.RESCALED_PARALLELISM,
          ks.itemRecords.size() + ks.queryRecords.size(),
          out.updates().size(),
          audit.lost(),
          audit.duplicated());
      assertThat(out.updates().size()).isGreaterThan(before);
      assertThat(audit).isEqualTo(new SeqAudit(0, 0));
    } finally {
      rest.cancel(second, UP);
    }
  }

  private static Topics topics(String prefix) throws Exception {
    Topics t = KafkaScenario.prefixed(prefix);
    kafka.createTopics(4, t.items(), t.queries(), t.updates(), t.alerts(), t.deadLetters());
    return t;
  }

  /** The deployments' job arguments, plus this test's topics and group. */
  private static List<String> args(Topics t, String group) {
    List<String> a = new ArrayList<>(DeploymentSpec.jobArgs(kafka.bootstrapServers()));
    a.addAll(KafkaScenario.topicFlags(t));
    a.addAll(List.of("--group-id", group));
    return a;
  }

  private static List<String> parallelism(int p) {
    return List.of("-p", Integer.toString(p));
  }

  private java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>>
      committed(String topic) {
    return EmbeddedKafka.consumeCommitted(kafka.bootstrapServers(), topic);
  }

  private static Admin admin() {
    Properties p = new Properties();
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return Admin.create(p);
  }

  /**
   * Waits until a quarter of the items is sent, a checkpoint has completed and some output is
   * committed, while items are still to come; returns the checkpoint's id.
   */
  private static long awaitCheckpointWithOutput(
      FlinkRest rest, String job, Admin admin, Topics t, PacedProducer items) throws Exception {
    long deadline = System.nanoTime() + UP.toNanos();
    while (System.nanoTime() < deadline) {
      long lso =
          KafkaOffsets.endOffsets(admin, List.of(t.updates()), IsolationLevel.READ_COMMITTED)
              .values()
              .stream()
              .mapToLong(Long::longValue)
              .sum();
      JsonNode latest = rest.checkpoints(job).path("latest").path("completed");
      // a quarter of the items in: the restore has real state to bring back
      boolean quarter = items.sent() >= items.total() / 4;
      if (quarter && lso > 0 && !latest.isMissingNode() && !latest.isNull()) {
        return latest.path("id").asLong();
      }
      if (items.sent() == items.total()) {
        throw new IllegalStateException(
            "every item was sent before a checkpoint committed output: the kill would not be"
                + " mid-stream; checkpoints: "
                + rest.checkpoints(job).path("counts"));
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "no checkpoint with committed output: " + rest.rootException(job));
  }

  /** A TaskManager that runs tasks of the job (with spread-out slots, each has some). */
  private static StandaloneFlinkCluster.TaskManager taskManagerRunning(String job)
      throws Exception {
    JsonNode vertex = flink.rest().get("/jobs/" + job).path("vertices").get(0);
    JsonNode tms =
        flink
            .rest()
            .get("/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/taskmanagers");
    List<String> ids = new ArrayList<>();
    tms.path("taskmanagers").forEach(tm -> ids.add(tm.path("taskmanager-id").asText()));
    return flink.taskManagers().stream()
        .filter(tm -> tm.process().isAlive() && ids.contains(tm.id()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no TaskManager runs " + job + ": " + ids));
  }

  /** The time the first update committed past {@code offsets} reaches a read_committed reader. */
  private static long awaitFirstCommittedAfter(Map<TopicPartition, Long> offsets) {
    try (KafkaConsumer<byte[], byte[]> c =
        EmbeddedKafka.committedConsumer(kafka.bootstrapServers())) {
      c.assign(offsets.keySet());
      offsets.forEach(c::seek);
      long deadline = System.nanoTime() + UP.toNanos();
      while (System.nanoTime() < deadline) {
        if (!c.poll(Duration.ofMillis(20)).isEmpty()) {
          return System.nanoTime();
        }
      }
    }
    throw new IllegalStateException("no update was committed within " + UP + " after the kill");
  }

  /**
   * Gaps and repeats in the committed updates: per standing query, seq must run 1, 2, 3, …
   * (starting again at 1 after its CANCELLED update), and a ONCE query is answered once.
   */
  record SeqAudit(long lost, long duplicated) {
    static SeqAudit of(List<TopKUpdate> updates) {
      Map<String, TopKUpdate> last = new HashMap<>();
      long lost = 0;
      long duplicated = 0;
      for (TopKUpdate u : updates) {
        String key = u.namespace() + "/" + u.queryId();
        TopKUpdate prev = last.put(key, u);
        if (u.queryId().startsWith("once-")) {
          duplicated += prev == null ? 0 : 1;
          continue;
        }
        boolean reRegistered =
            prev != null && prev.cause().kind() == UpdateCause.Kind.CANCELLED && u.seq() == 1;
        long expected = prev == null || reRegistered ? 1 : prev.seq() + 1;
        if (u.seq() < expected) {
          duplicated++;
          last.put(key, prev);
        } else {
          lost += u.seq() - expected;
        }
      }
      return new SeqAudit(lost, duplicated);
    }
  }
}
