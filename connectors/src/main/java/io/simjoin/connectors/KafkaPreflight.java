package io.simjoin.connectors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;

/**
 * Checks, before a job or a tool starts, that the brokers answer and the topics exist, so that a
 * typo in a flag is a one-line message and not a job that retries forever.
 *
 * <pre>{@code
 * KafkaPreflight.requireTopics("127.0.0.1:9092", props, Duration.ofSeconds(10), "items", "updates");
 * }</pre>
 */
@PublicEvolving
public final class KafkaPreflight {
  private KafkaPreflight() {}

  /**
   * @throws IllegalStateException if the brokers do not answer within {@code timeout}, or a topic
   *     is missing; the message says what to fix (and holds no property values)
   */
  public static void requireTopics(
      String bootstrapServers, Properties properties, Duration timeout, String... topics) {
    Properties p = new Properties();
    p.putAll(properties);
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(ms));
    p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(ms));
    Set<String> existing;
    try (Admin admin = Admin.create(p)) {
      existing =
          admin
              .listTopics(new ListTopicsOptions().timeoutMs(ms))
              .names()
              .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new IllegalStateException(
          "cannot reach Kafka at "
              + bootstrapServers
              + " within "
              + timeout.toSeconds()
              + " s: check --bootstrap-servers, that the broker is up, and the client properties"
              + " (security.protocol, SASL/SSL)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the topics");
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new IllegalStateException(
          "cannot create a Kafka client for "
              + bootstrapServers
              + ": "
              + e.getClass().getSimpleName()
              + "; check --bootstrap-servers and the client properties");
    }
    List<String> missing = new ArrayList<>();
    for (String t : topics) {
      if (!existing.contains(t)) {
        missing.add(t);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          (missing.size() == 1 ? "topic " : "topics ")
              + String.join(", ", missing)
              + (missing.size() == 1 ? " does" : " do")
              + " not exist on "
              + bootstrapServers
              + ": create "
              + (missing.size() == 1 ? "it" : "them")
              + " (kafka-topics.sh --create --topic NAME ...) or name another with the"
              + " --*-topic flags");
    }
  }
}
