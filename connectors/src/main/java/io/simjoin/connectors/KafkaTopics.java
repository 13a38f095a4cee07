package io.simjoin.connectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

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

  private static void awaitLeaders(Admin a, String... topics) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    while (true) {
      boolean ready = true;
      for (var d :
          a.describeTopics(List.of(topics)).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
        for (var p : d.partitions()) {
          ready &= p.leader() != null && !p.leader().isEmpty();
        }
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "topics " + List.of(topics) + " have no leader after " + TIMEOUT_S + " s");
      }
      Thread.sleep(100);
    }
  }
}
