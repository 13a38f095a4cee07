package io.simjoin.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.bench.BenchCommand;
import io.simjoin.bench.JsonLine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code bench --e2e --kafka} end to end on a small stream: the in-memory line, then the Kafka line
 * (a real broker in a child JVM, the real job), both exact, with the ratio of their rates.
 */
class KafkaE2eBenchIT {
  @Test
  void theKafkaRunFollowsTheInMemoryOneAndIsExact() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new BenchCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit =
        cl.execute(
            "--e2e",
            "--kafka",
            "--items",
            "synthetic:clustered:n=3000,d=16,seed=1",
            "--standing",
            "200",
            "--k",
            "5",
            "--shards",
            "2",
            "--checkpoint-interval",
            "500ms",
            "--coalesce",
            "50ms");
    assertThat(exit).as("exit; stderr: %s", err).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(2);
    String kafka = lines.get(1);
    assertThat(kafka)
        .contains("\"transport\":\"kafka\"", "\"exact\":true", "\"delivery\":\"exactly-once\"");
    assertThat(JsonLine.readNumber(kafka, "items_per_s")).isPositive();
    assertThat(JsonLine.readNumber(kafka, "latency_ms_p99")).isPositive();
    assertThat(JsonLine.readNumber(kafka, "kafka_vs_memory")).isPositive();
    assertThat(JsonLine.readNumber(kafka, "n")).isEqualTo(3000);
  }
}
