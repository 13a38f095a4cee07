package io.simjoin.jobs;

import io.simjoin.connectors.KafkaPreflight;
import io.simjoin.connectors.KafkaProperties;
import io.simjoin.connectors.SimjoinKafka;
import io.simjoin.connectors.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ./simjoin run}: the job in a local Flink MiniCluster (RocksDB, incremental checkpoints)
 * against a given Kafka.
 *
 * <pre>{@code
 * ./simjoin run --bootstrap-servers 127.0.0.1:9092                 # until Ctrl-C
 * ./simjoin run --bootstrap-servers 127.0.0.1:9092 --bounded       # a backfill: exits 0 when done
 * }</pre>
 *
 * <p>Exit codes: 0 when a bounded run committed everything; 1 if the job failed; 2 for a bad flag,
 * an unreachable broker or a missing topic, with a one-line message saying what to fix.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Run the simjoin job locally (Flink MiniCluster, RocksDB) against a Kafka.")
public final class RunCommand implements Callable<Integer> {
  /** How long the brokers have to answer before the run gives up. */
  static final Duration PREFLIGHT_TIMEOUT = Duration.ofSeconds(15);

  @Mixin JobFlags flags;

  /** {@code --kafka.<key>=<value>}: picocli collects them in the command, not in the mixin. */
  @CommandLine.Unmatched List<String> unmatched = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Configuration conf;
    Path tempCheckpoints = null;
    try {
      flags.unmatched.addAll(unmatched);
      conf = flags.toConfiguration(new Configuration());
      if (!conf.contains(JobOptions.BOOTSTRAP_SERVERS)) {
        throw new IllegalArgumentException(
            "missing --bootstrap-servers HOST:PORT: the Kafka brokers to read and write");
      }
      Topics topics = JobOptions.topics(conf);
      Properties props = JobOptions.kafkaProperties(conf.toMap());
      KafkaPreflight.requireTopics(
          conf.get(JobOptions.BOOTSTRAP_SERVERS), props, PREFLIGHT_TIMEOUT, allTopics(topics));
      if (!conf.containsKey("execution.checkpointing.dir")) {
        tempCheckpoints = Files.createTempDirectory("simjoin-checkpoints-");
        conf.setString("execution.checkpointing.dir", tempCheckpoints.toUri().toString());
      }
      conf = SimilarityJoinJob.withJobDefaults(conf);
      conf.setString(
          "restart-strategy.type", conf.getString("restart-strategy.type", "fixed-delay"));
      err.println(describe(conf, props));
      err.flush();
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("simjoin run: " + e.getMessage());
      return 2;
    }
    try {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
      new SimilarityJoinJob(conf).attachToKafka(env);
      env.execute("simjoin");
      return 0;
    } finally {
      if (tempCheckpoints != null) {
        deleteQuietly(tempCheckpoints);
      }
    }
  }

  private static String[] allTopics(Topics t) {
    return new String[] {t.items(), t.queries(), t.updates(), t.alerts(), t.deadLetters()};
  }

  private static String describe(Configuration conf, Properties props) {
    StringBuilder sb =
        new StringBuilder("simjoin run: ")
            .append(conf.get(JobOptions.BOUNDED) ? "bounded run" : "streaming")
            .append(" against ")
            .append(conf.get(JobOptions.BOOTSTRAP_SERVERS))
            .append(", format ")
            .append(conf.get(JobOptions.FORMAT).flagValue())
            .append(", ")
            .append(JobOptions.topics(conf))
            .append(", shards ")
            .append(conf.get(JobOptions.SHARDS))
            .append(", parallelism ")
            .append(conf.getString("parallelism.default", "default"))
            .append(", checkpoints every ")
            .append(conf.getString("execution.checkpointing.interval", "?"))
            .append(" in ")
            .append(conf.getString("execution.checkpointing.dir", "?"))
            .append(", exactly-once (transaction.timeout.ms ")
            .append(
                props.getProperty(
                    "transaction.timeout.ms", SimjoinKafka.DEFAULT_TRANSACTION_TIMEOUT_MS))
            .append(')');
    if (!props.isEmpty()) {
      sb.append(", Kafka client properties ").append(KafkaProperties.redacted(props));
    }
    return sb.toString();
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileUtils.deleteDirectory(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}
