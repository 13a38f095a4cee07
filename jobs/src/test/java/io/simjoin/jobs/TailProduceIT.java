package io.simjoin.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.simjoin.connectors.codec.AvroEventCodec;
import io.simjoin.connectors.codec.RecordKeys;
import io.simjoin.connectors.testing.EmbeddedKafka;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./simjoin produce} and {@code ./simjoin tail} against a real broker. */
class TailProduceIT {
  @RegisterExtension static final EmbeddedKafka KAFKA = new EmbeddedKafka();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static final List<String> LINES =
      List.of(
          "{\"namespace\":\"shop\",\"id\":\"sku-1\",\"op\":\"UPSERT\",\"vector\":[0.1,0.2],\"timestamp\":1767225600000}",
          "{\"namespace\":\"shop\",\"id\":\"sku-2\",\"op\":\"UPSERT\",\"vector\":[-1.5,3.25]}",
          "{\"namespace\":\"shop\",\"id\":\"sku-1\",\"op\":\"DELETE\",\"timestamp\":1767225600001}",
          "{\"namespace\":\"shop\",\"id\":\"user-7\",\"op\":\"REGISTER\",\"vector\":[1,0],\"k\":10,\"threshold\":0.5,\"timestamp\":5}",
          "{\"namespace\":\"shop\",\"id\":\"user-7\",\"op\":\"CANCEL\",\"timestamp\":6}");

  /**
   * JSON lines go in as Avro records keyed by namespace and id, and come back out of {@code tail}
   * as the same events: produce and tail are inverse.
   */
  @Test
  void produceAvroThenTailGivesTheEventsBack() throws Exception {
    KAFKA.createTopics(1, "pt-avro");
    Path file = tmp.resolve("events.jsonl");
    Files.write(file, LINES, StandardCharsets.UTF_8);
    CliRun produce =
        CliRun.of(
            "produce",
            "--topic",
            "pt-avro",
            "--format",
            "avro",
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            file.toString());
    assertThat(produce.exit()).as(produce.err()).isZero();
    assertThat(produce.out()).contains("sent 5 records");

    List<ConsumerRecord<byte[], byte[]>> records = KAFKA.consumeCommitted("pt-avro");
    assertThat(records).hasSize(5);
    AvroEventCodec avro = new AvroEventCodec();
    ItemEvent first = avro.decodeItem(records.get(0).value(), 0L);
    assertThat(first)
        .isEqualTo(ItemEvent.upsert("shop", "sku-1", new float[] {0.1f, 0.2f}, 1767225600000L));
    assertThat(records.get(0).key()).isEqualTo(RecordKeys.itemKey("shop", "sku-1"));
    QueryEvent reg = avro.decodeQuery(records.get(3).value(), 0L);
    assertThat(reg)
        .isEqualTo(
            QueryEvent.register("shop", "user-7", new float[] {1f, 0f}, 10, 5L)
                .withThreshold(0.5f));

    CliRun tail =
        CliRun.of(
            "tail",
            "--topic",
            "pt-avro",
            "--from-beginning",
            "--max",
            "5",
            "--bootstrap-servers",
            KAFKA.bootstrapServers());
    assertThat(tail.exit()).as(tail.err()).isZero();
    List<String> out = tail.out().lines().toList();
    assertThat(out).hasSize(5);
    for (int i = 0; i < 5; i++) {
      JsonNode want = JSON.readTree(LINES.get(i));
      JsonNode got = JSON.readTree(out.get(i));
      assertThat(got.get("namespace")).isEqualTo(want.get("namespace"));
      assertThat(got.get("id")).isEqualTo(want.get("id"));
      assertThat(got.get("op")).isEqualTo(want.get("op"));
      if (want.has("vector")) {
        for (int j = 0; j < want.get("vector").size(); j++) {
          assertThat((float) got.get("vector").get(j).asDouble())
              .isEqualTo((float) want.get("vector").get(j).asDouble());
        }
      }
    }
  }

  @Test
  void badLinesAreRefusedWithTheirNumberAndTheRestSent() throws Exception {
    KAFKA.createTopics(1, "pt-json");
    Path file = tmp.resolve("mixed.jsonl");
    Files.write(
        file,
        List.of(
            LINES.get(0),
            "not json",
            "{\"namespace\":\"shop\",\"id\":\"x\",\"op\":\"MERGE\"}",
            "",
            LINES.get(1)),
        StandardCharsets.UTF_8);
    CliRun produce =
        CliRun.of(
            "produce",
            "--topic",
            "pt-json",
            "--format",
            "json",
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            file.toString());
    assertThat(produce.exit()).isEqualTo(1);
    assertThat(produce.err()).contains("line 2 not sent", "line 3 not sent", "MERGE");
    assertThat(produce.out()).contains("sent 2 records", "2 lines refused");
    List<String> values = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KAFKA.consumeCommitted("pt-json")) {
      values.add(new String(r.value(), StandardCharsets.UTF_8));
    }
    assertThat(values).hasSize(2);
    assertThat(JSON.readTree(values.get(1)).get("id").asText()).isEqualTo("sku-2");
  }

  @Test
  void aMissingTopicIsExitTwo() {
    CliRun tail =
        CliRun.of(
            "tail", "--topic", "no-such-topic", "--bootstrap-servers", KAFKA.bootstrapServers());
    assertThat(tail.exit()).isEqualTo(2);
    assertThat(tail.err()).contains("no-such-topic", "does not exist");
  }
}
