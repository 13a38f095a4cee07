package io.simjoin.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The demo's broker: a real KRaft Kafka in a child JVM, gone without a trace when closed. */
class LocalKafkaIT {

  @Test
  void startsServesAndLeavesNothingBehind() throws Exception {
    LocalKafka kafka = LocalKafka.start(0);
    ProcessHandle broker = kafka.process();
    try {
      assertThat(broker.isAlive()).isTrue();
      kafka.createTopics(2, "t");
      Properties pp = new Properties();
      pp.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (KafkaProducer<String, String> p =
          new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
        p.send(new ProducerRecord<>("t", "k", "hello")).get(30, TimeUnit.SECONDS);
      }
      Properties cp = new Properties();
      cp.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      cp.setProperty(ConsumerConfig.GROUP_ID_CONFIG, UUID.randomUUID().toString());
      cp.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      try (KafkaConsumer<String, String> c =
          new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
        c.subscribe(List.of("t"));
        String got = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (got == null && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
            got = r.value();
          }
        }
        assertThat(got).isEqualTo("hello");
      }
    } finally {
      kafka.close();
    }
    assertThat(broker.isAlive()).as("broker process after close").isFalse();
    assertThat(Files.exists(kafka.directory())).as("broker directory after close").isFalse();
  }

  @Test
  void aTakenPortIsAClearMessage() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> LocalKafka.start(taken.getLocalPort()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("port " + taken.getLocalPort() + " on 127.0.0.1 is in use")
          .hasMessageContaining("--bootstrap-servers");
    }
  }
}
