package io.simjoin.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets that tell from outside whether a job has consumed its input: the end offsets of topics,
 * and a wait until a consumer group's committed offsets reach them. A Flink Kafka source commits
 * its offsets when a checkpoint completes, so a group at the end means the job's state and its
 * transactional output for that input are committed too.
 *
 * <pre>{@code
 * try (Admin admin = Admin.create(props)) {
 *   Map<TopicPartition, Long> end = KafkaOffsets.endOffsets(admin, List.of("items", "queries"));
 *   KafkaOffsets.awaitGroupAt(admin, "simjoin", end, job, Duration.ofMinutes(2));
 * }
 * }</pre>
 */
public final class KafkaOffsets {
  private static final long ADMIN_TIMEOUT_S = 30;

  private KafkaOffsets() {}

  /** The end offset of every partition of {@code topics} (for uncommitted reads). */
  public static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics)
      throws Exception {
    return endOffsets(admin, topics, IsolationLevel.READ_UNCOMMITTED);
  }

  /**
   * The end offset of every partition of {@code topics}; with {@link IsolationLevel#READ_COMMITTED}
   * the last stable offset, the end a {@code read_committed} consumer reaches.
   */
  public static Map<TopicPartition, Long> endOffsets(
      Admin admin, Collection<String> topics, IsolationLevel isolation) throws Exception {
    List<TopicPartition> parts = new ArrayList<>();
    admin
        .describeTopics(topics)
        .allTopicNames()
        .get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS)
        .forEach(
            (t, d) -> d.partitions().forEach(p -> parts.add(new TopicPartition(t, p.partition()))));
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    parts.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> end = new HashMap<>();
    admin
        .listOffsets(latest, new ListOffsetsOptions(isolation))
        .all()
        .get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS)
        .forEach((tp, info) -> end.put(tp, info.offset()));
    return end;
  }

  /**
   * How many records of {@code end} the group has not committed yet (all of a partition it lacks).
   */
  public static long lag(Admin admin, String group, Map<TopicPartition, Long> end)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> got =
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
    long lag = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      OffsetAndMetadata o = got.get(e.getKey());
      lag += Math.max(0, e.getValue() - (o == null ? 0 : o.offset()));
    }
    return lag;
  }

  /**
   * Waits until {@code group} has committed offsets at or past {@code end} on every partition.
   *
   * @throws IllegalStateException if the job ends first or {@code timeout} passes
   */
  public static void awaitGroupAt(
      Admin admin, String group, Map<TopicPartition, Long> end, JobClient job, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lag(admin, group, end) > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out after "
                + timeout.toSeconds()
                + " s waiting for the job to consume its input");
      }
      if (job.getJobStatus().get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS).isGloballyTerminalState()) {
        job.getJobExecutionResult().get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
        throw new IllegalStateException("the job ended before consuming its input");
      }
      Thread.sleep(200);
    }
  }
}
