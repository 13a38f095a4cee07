package io.simjoin.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.connectors.Topics;
import io.simjoin.connectors.WireFormat;
import io.simjoin.connectors.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./simjoin run} as a user calls it: flags, exit codes, messages, secrets. */
class RunCommandIT {
  @RegisterExtension static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  private static final String JAAS_SECRET = "jaas-s3cr3t-value";
  private static final String KEY_SECRET = "key-s3cr3t-value";

  @TempDir Path tmp;

  private static Topics topics(String prefix) throws Exception {
    Topics t = KafkaScenario.prefixed(prefix);
    KAFKA.createTopics(2, t.items(), t.queries(), t.updates(), t.alerts(), t.deadLetters());
    return t;
  }

  /**
   * {@code --bounded} reads what the topics held at start, exits 0, and everything is committed by
   * then: the output read right after the exit already equals the oracle. Secret client properties
   * given on the command line appear in no output and no log line.
   */
  @Test
  void aBoundedRunExitsZeroWithEverythingCommittedAndShowsNoSecret() throws Exception {
    Topics t = topics("bounded-");
    KafkaScenario ks = new KafkaScenario(5, WireFormat.JSON, t);
    KAFKA.produce(ks.queryRecords);
    KAFKA.produce(ks.itemRecords);
    List<String> args =
        new ArrayList<>(List.of("run", "--bootstrap-servers", KAFKA.bootstrapServers()));
    args.addAll(KafkaScenario.topicFlags(t));
    args.addAll(
        List.of(
            "--format",
            "json",
            "--bounded",
            "--shards",
            "2",
            "--max-k",
            "100",
            "--parallelism",
            "2",
            "--checkpoint-interval",
            "500ms",
            "--checkpoint-dir",
            tmp.resolve("cp").toUri().toString(),
            "--group-id",
            "bounded",
            "--start",
            "earliest",
            // ignored by a PLAINTEXT client, but handed to every client: must never be shown
            "--kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                + " required username=\"u\" password=\""
                + JAAS_SECRET
                + "\";",
            "--kafka.ssl.key.password=" + KEY_SECRET));
    CliRun run = CliRun.of(args.toArray(String[]::new));

    assertThat(run.exit()).as("exit code; stderr: %s", run.err()).isZero();
    ks.check(ks.read(KAFKA));
    assertThat(run.err()).contains("sasl.jaas.config=[redacted]", "ssl.key.password=[redacted]");
    String log = Files.readString(Path.of("target/jobs-test.log"), StandardCharsets.UTF_8);
    assertThat(log).as("the test log").isNotEmpty();
    for (String text : List.of(run.out(), run.err(), log)) {
      assertThat(text).doesNotContain(JAAS_SECRET).doesNotContain(KEY_SECRET);
    }
  }

  @Test
  void aMissingTopicIsOneLineSayingWhatToFix() throws Exception {
    Topics t = topics("missing-");
    CliRun run =
        CliRun.of(
            "run",
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            "--items-topic",
            "no-such-items",
            "--queries-topic",
            t.queries(),
            "--updates-topic",
            t.updates(),
            "--alerts-topic",
            t.alerts(),
            "--dead-letters-topic",
            t.deadLetters());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().strip())
        .doesNotContain("\n")
        .contains("no-such-items", "does not exist", "create");
  }

  @Test
  void anUnreachableBrokerIsOneLine() {
    // port 1 on loopback: nothing listens there
    CliRun run =
        CliRun.of(
            "run", "--bootstrap-servers", "127.0.0.1:1", "--kafka.reconnect.backoff.max.ms=200");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err().strip())
        .doesNotContain("\n")
        .contains("cannot reach Kafka at 127.0.0.1:1");
  }

  @Test
  void badFlagsAreExitTwoWithWhatToFix() {
    CliRun noServers = CliRun.of("run");
    assertThat(noServers.exit()).isEqualTo(2);
    assertThat(noServers.err()).contains("--bootstrap-servers");

    CliRun unknown = CliRun.of("run", "--bootstrap-servers", "127.0.0.1:1", "--shardz", "3");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown flag --shardz");

    CliRun format = CliRun.of("run", "--bootstrap-servers", "127.0.0.1:1", "--format", "xml");
    assertThat(format.exit()).isEqualTo(2);
    assertThat(format.err()).contains("unknown format 'xml'", "avro", "json");

    CliRun start = CliRun.of("run", "--bootstrap-servers", "127.0.0.1:1", "--start", "yesterday");
    assertThat(start.exit()).isEqualTo(2);
    assertThat(start.err()).contains("earliest, latest or committed");

    CliRun interval =
        CliRun.of("run", "--bootstrap-servers", "127.0.0.1:1", "--checkpoint-interval", "soon");
    assertThat(interval.exit()).isEqualTo(2);
    assertThat(interval.err()).contains("--checkpoint-interval", "not a duration");

    CliRun shards = CliRun.of("run", "--bootstrap-servers", "127.0.0.1:1", "--shards", "0");
    assertThat(shards.exit()).isEqualTo(2);
    assertThat(shards.err()).contains("--shards must be at least 1");
  }
}
