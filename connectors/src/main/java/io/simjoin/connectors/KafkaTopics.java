package io.simjoin.connectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates topics and waits until they can be written, for the local broker of the demo and the
 * benchmark and for tests.
 *
 * <pre>{@code
 * KafkaTopics.create(adminProperties, 4, "items", "queries", "updates", "alerts", "dead-letters");
 * }</pre>
 */
@PublicEvolving
public final class KafkaTopics {
  private static final long TIMEOUT_S = 60;

  private KafkaTopics() {}

  /**
   * Creates the topics (replication 1) and waits until every partition has a leader: a producer
   * that sends before the broker leads a new partition gets NOT_LEADER_OR_FOLLOWER, and its
   * idempotent retries can then stall on out-of-order sequence numbers.
   */
  public static void create(Properties adminProperties, int partitions, String... topics)
      throws Exception {
    List<NewTopic> all = new ArrayList<>();
    for (String t : topics) {
      all.add(new NewTopic(t, partitions, (short) 1));
    }
    try (Admin a = Admin.create(adminProperties)) {
      a.createTopics(all).all().get(TIMEOUT_S, TimeUnit.SECONDS);
      awaitLeaders(a, topics);
    }
  }

  /**
   * Waits until every partition of the topics has a leader, as seen by the broker {@code a} asks:
   * topics that another client has just created may not be known there yet.
   */
  public static void awaitLeaders(Admin a, String... topics) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    while (true) {
      if (haveLeaders(a, topics)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "topics " + List.of(topics) + " have no leader after " + TIMEOUT_S + " s");
      }
      Thread.sleep(100);
    }
  }

  /**
   * Whether every partition has a leader. CreateTopics returns once the controller has the topic;
   * the broker that answers the describe may not have caught up yet and says the topic is unknown,
   * which here means "not yet", not "failed".
   */
  private static boolean haveLeaders(Admin a, String... topics) throws Exception {
    Map<String, TopicDescription> described;
    try {
      described = a.describeTopics(List.of(topics)).allTopicNames().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw e;
    }
    for (TopicDescription d : described.values()) {
      for (var p : d.partitions()) {
        if (p.leader() == null || p.leader().isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }
}
