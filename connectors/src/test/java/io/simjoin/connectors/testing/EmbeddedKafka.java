package io.simjoin.connectors.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node KRaft Kafka broker in the test JVM, on 127.0.0.1, for a test class:
 *
 * <pre>{@code
 * @RegisterExtension static final EmbeddedKafka KAFKA = new EmbeddedKafka();
 * KAFKA.createTopics(3, "items", "queries");
 * KAFKA.produce("items", key, value);
 * List<ConsumerRecord<byte[], byte[]>> out = KAFKA.consumeCommitted("updates", Duration.ofSeconds(5));
 * }</pre>
 */
public final class EmbeddedKafka implements BeforeAllCallback, AfterAllCallback {
  private KafkaClusterTestKit cluster;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  /** Starts the broker (about 3 s). */
  public void start() throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .build();
    cluster =
        new KafkaClusterTestKit.Builder(nodes)
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "3")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "3")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("auto.create.topics.enable", "false")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
  }

  public void close() throws Exception {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  private Properties admin() {
    Properties p = new Properties();
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return p;
  }

  /** Creates topics with the given partition count (replication 1), waiting until they exist. */
  public void createTopics(int partitions, String... topics) throws Exception {
    io.simjoin.connectors.KafkaTopics.create(admin(), partitions, topics);
  }

  /** A plain (non-transactional, idempotent) producer of byte arrays. */
  public KafkaProducer<byte[], byte[]> producer() {
    return producer(bootstrapServers());
  }

  /** {@link #producer()} for any broker, such as one in a child JVM. */
  public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
    Properties p = new Properties();
    p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
    p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
    // Not idempotent, one request in flight: the same per-partition order without the sequence
    // numbers that, in the in-process broker under load, could stall a retried batch on
    // OUT_OF_ORDER_SEQUENCE_NUMBER until the send timed out.
    p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.setProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Sends records and waits for every one to be acknowledged. */
  public void produce(Collection<ProducerRecord<byte[], byte[]>> records) throws Exception {
    produce(bootstrapServers(), records);
  }

  /** {@link #produce(Collection)} to any broker. */
  public static void produce(
      String bootstrapServers, Collection<ProducerRecord<byte[], byte[]>> records)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrapServers)) {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (ProducerRecord<byte[], byte[]> r : records) {
        acks.add(p.send(r));
      }
      for (java.util.concurrent.Future<?> f : acks) {
        f.get(120, TimeUnit.SECONDS);
      }
    }
  }

  /** A consumer reading {@code read_committed} from the beginning, in a fresh group. */
  public KafkaConsumer<byte[], byte[]> committedConsumer() {
    return committedConsumer(bootstrapServers());
  }

  /** {@link #committedConsumer()} for any broker. */
  public static KafkaConsumer<byte[], byte[]> committedConsumer(String bootstrapServers) {
    Properties p = new Properties();
    p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Every committed record of {@code topic} now: reads up to the end offsets (the last stable
   * offsets, for {@code read_committed}) that the topic has when called.
   */
  public List<ConsumerRecord<byte[], byte[]>> consumeCommitted(String topic) {
    return consumeCommitted(bootstrapServers(), topic);
  }

  /** {@link #consumeCommitted(String)} on any broker. */
  public static List<ConsumerRecord<byte[], byte[]>> consumeCommitted(
      String bootstrapServers, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = committedConsumer(bootstrapServers)) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic).forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(parts));
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!reached(c, end) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          out.add(r);
        }
      }
      return out;
    }
  }

  private static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Polls {@code check} on the committed records of {@code topic} until it holds or the timeout
   * passes; returns the last records read, whether or not it held.
   */
  public List<ConsumerRecord<byte[], byte[]>> awaitCommitted(
      String topic, Duration timeout, Predicate<List<ConsumerRecord<byte[], byte[]>>> check)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ConsumerRecord<byte[], byte[]>> got = consumeCommitted(topic);
    while (!check.test(got) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      got = consumeCommitted(topic);
    }
    return got;
  }
}
