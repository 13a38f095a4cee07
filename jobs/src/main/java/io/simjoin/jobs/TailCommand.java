package io.simjoin.jobs;

import io.simjoin.connectors.KafkaPreflight;
import io.simjoin.connectors.WireFormat;
import io.simjoin.connectors.codec.AvroEventCodec;
import io.simjoin.connectors.codec.DecodeException;
import io.simjoin.connectors.codec.JsonEventCodec;
import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./simjoin tail}: prints the records of any of simjoin's topics as JSON lines, reading
 * {@code read_committed} (only what the job committed).
 *
 * <pre>{@code
 * ./simjoin tail --topic updates --from-beginning --max 10
 * ./simjoin tail --topic dead-letters --bootstrap-servers kafka:9092
 * }</pre>
 *
 * <p>Avro records are recognised by their schema fingerprint, so one command reads every topic;
 * JSON records are printed as they are. A tombstone prints as {@code {"key":…,"value":null}}.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Print the committed records of a simjoin topic as JSON lines.")
public final class TailCommand implements Callable<Integer> {
  @Option(names = "--topic", required = true, description = "The topic to read.")
  String topic;

  @Option(
      names = "--format",
      paramLabel = "avro|json",
      description = "The topic's format. Default: recognised per record.")
  String format;

  @Option(names = "--from-beginning", description = "Start at the beginning, not the end.")
  boolean fromBeginning;

  @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
  Long max;

  @Mixin KafkaClientFlags kafka;

  /**
   * {@code --kafka.<key>=<value>}: picocli leaves them unmatched, {@link KafkaClientFlags} reads
   * them.
   */
  @CommandLine.Unmatched List<String> unmatched = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final JsonEventCodec json = new JsonEventCodec();
  private final AvroEventCodec avro = new AvroEventCodec();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Properties p;
    WireFormat forced;
    try {
      forced = format == null ? null : WireFormat.parse(format);
      if (max != null && max < 1) {
        throw new IllegalArgumentException("--max must be at least 1, got " + max);
      }
      p = kafka.properties(unmatched);
      KafkaPreflight.requireTopics(kafka.bootstrapServers, p, RunCommand.PREFLIGHT_TIMEOUT, topic);
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("simjoin tail: " + e.getMessage());
      return 2;
    }
    p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    long printed = 0;
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo pi : c.partitionsFor(topic)) {
        parts.add(new TopicPartition(topic, pi.partition()));
      }
      c.assign(parts);
      if (fromBeginning) {
        c.seekToBeginning(parts);
      } else {
        c.seekToEnd(parts);
      }
      while (max == null || printed < max) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          out.println(line(r, forced, err));
          if (++printed == max) {
            break;
          }
        }
        out.flush();
      }
    }
    out.flush();
    return 0;
  }

  private String line(ConsumerRecord<byte[], byte[]> r, WireFormat forced, PrintWriter err) {
    if (r.value() == null) {
      String key = r.key() == null ? "null" : new String(r.key(), StandardCharsets.UTF_8);
      return "{\"key\":" + key + ",\"value\":null}";
    }
    boolean isAvro =
        forced == WireFormat.AVRO
            || forced == null
                && r.value().length >= 2
                && r.value()[0] == (byte) 0xC3
                && r.value()[1] == 0x01;
    if (!isAvro) {
      return new String(r.value(), StandardCharsets.UTF_8);
    }
    try {
      return new String(
          toJson(avro.decodeAny(r.value(), r.timestamp()).event()), StandardCharsets.UTF_8);
    } catch (DecodeException e) {
      err.println(
          "simjoin tail: "
              + r.topic()
              + "-"
              + r.partition()
              + "@"
              + r.offset()
              + " is not a simjoin Avro record: "
              + e.getMessage());
      return "{\"undecodable\":" + r.value().length + "}";
    }
  }

  private byte[] toJson(Object event) {
    if (event instanceof TopKUpdate u) {
      return json.encodeUpdate(u);
    } else if (event instanceof ThresholdMatch m) {
      return json.encodeAlert(m);
    } else if (event instanceof DeadLetter d) {
      return json.encodeDeadLetter(d);
    } else if (event instanceof ItemEvent i) {
      return json.encodeItem(i);
    } else if (event instanceof QueryEvent q) {
      return json.encodeQuery(q);
    }
    throw new IllegalStateException("not a simjoin event: " + event.getClass());
  }
}
