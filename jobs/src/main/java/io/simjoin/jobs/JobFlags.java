package io.simjoin.jobs;

import io.simjoin.connectors.KafkaProperties;
import io.simjoin.connectors.StartFrom;
import io.simjoin.connectors.WireFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The job's command-line flags, shared by {@code ./simjoin run} and {@code flink run …
 * simjoin-job.jar}. The flag names are a contract scripts rely on; each sets one {@link JobOptions}
 * key or one of Flink's (parallelism, checkpoints), and only when given, so a Flink configuration
 * can set the rest.
 *
 * <pre>{@code
 * ./simjoin run --bootstrap-servers 127.0.0.1:9092 --format json --bounded \
 *     --kafka-properties client.properties --kafka.security.protocol=SASL_SSL
 * }</pre>
 */
@Command(name = "simjoin-job", mixinStandardHelpOptions = true, sortOptions = false)
public final class JobFlags {

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "Kafka brokers, host:port[,host:port...] (required).")
  String bootstrapServers;

  @Option(names = "--items-topic", paramLabel = "TOPIC", description = "Default: items.")
  String itemsTopic;

  @Option(names = "--queries-topic", paramLabel = "TOPIC", description = "Default: queries.")
  String queriesTopic;

  @Option(names = "--updates-topic", paramLabel = "TOPIC", description = "Default: updates.")
  String updatesTopic;

  @Option(names = "--alerts-topic", paramLabel = "TOPIC", description = "Default: alerts.")
  String alertsTopic;

  @Option(
      names = "--dead-letters-topic",
      paramLabel = "TOPIC",
      description = "Default: dead-letters.")
  String deadLettersTopic;

  @Option(
      names = "--format",
      paramLabel = "avro|json",
      description = "Wire format of all topics. Default: avro.")
  String format;

  @Option(names = "--shards", description = "Item shards per namespace. Default: 4.")
  Integer shards;

  @Option(names = "--max-k", description = "Largest k a query may ask for. Default: 1000.")
  Integer maxK;

  @Option(names = "--max-dimension", description = "Largest dimension accepted. Default: 4096.")
  Integer maxDimension;

  @Option(names = "--parallelism", description = "Parallelism of the job. Default: Flink's.")
  Integer parallelism;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "URI",
      description = "Where checkpoints go (file:///..., s3://...). Default: a temporary directory.")
  String checkpointDir;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      description = "e.g. 10s, 500ms. Default: 10s.")
  String checkpointInterval;

  @Option(
      names = "--coalesce",
      paramLabel = "DURATION",
      description = "Send each query's changes at most once per interval (e.g. 200ms). Default: 0.")
  String coalesce;

  @Option(
      names = "--group-id",
      description = "Consumer group; also names the sink's transactions. Default: simjoin.")
  String groupId;

  @Option(
      names = "--start",
      paramLabel = "earliest|latest|committed",
      description = "Where to start without a checkpoint. Default: committed, else earliest.")
  String start;

  @Option(
      names = "--bounded",
      description =
          "Read each input topic up to its end offsets at start, process it all, commit, exit 0.")
  boolean bounded;

  @Option(
      names = "--kafka-properties",
      paramLabel = "FILE",
      description = "Kafka client properties (SASL, SSL, ...) for every consumer and producer.")
  Path kafkaPropertiesFile;

  @CommandLine.Unmatched List<String> unmatched = new ArrayList<>();

  /** Reads {@code args}; refuses unknown flags, saying which. */
  public static JobFlags parse(String[] args) {
    JobFlags flags = new JobFlags();
    CommandLine cl = new CommandLine(flags);
    cl.parseArgs(args);
    return flags;
  }

  /**
   * The flags given, as configuration on top of {@code base} (flags win).
   *
   * @throws IllegalArgumentException on a bad value or an unknown flag, saying what to fix
   */
  public Configuration toConfiguration(ReadableConfig base) {
    Configuration c =
        base instanceof Configuration bc ? new Configuration(bc) : new Configuration();
    setIf(c, JobOptions.BOOTSTRAP_SERVERS.key(), bootstrapServers);
    setIf(c, JobOptions.ITEMS_TOPIC.key(), itemsTopic);
    setIf(c, JobOptions.QUERIES_TOPIC.key(), queriesTopic);
    setIf(c, JobOptions.UPDATES_TOPIC.key(), updatesTopic);
    setIf(c, JobOptions.ALERTS_TOPIC.key(), alertsTopic);
    setIf(c, JobOptions.DEAD_LETTERS_TOPIC.key(), deadLettersTopic);
    if (format != null) {
      c.set(JobOptions.FORMAT, WireFormat.parse(format));
    }
    if (shards != null) {
      c.set(JobOptions.SHARDS, positive("--shards", shards));
    }
    if (maxK != null) {
      c.set(JobOptions.MAX_K, positive("--max-k", maxK));
    }
    if (maxDimension != null) {
      c.set(JobOptions.MAX_DIMENSION, positive("--max-dimension", maxDimension));
    }
    if (parallelism != null) {
      c.setString("parallelism.default", Integer.toString(positive("--parallelism", parallelism)));
    }
    setIf(c, "execution.checkpointing.dir", checkpointDir);
    if (checkpointInterval != null) {
      Duration d = duration("--checkpoint-interval", checkpointInterval);
      if (d.toMillis() < 10) {
        throw new IllegalArgumentException(
            "--checkpoint-interval " + checkpointInterval + " is too short: use at least 10ms");
      }
      c.setString("execution.checkpointing.interval", d.toMillis() + " ms");
    }
    if (coalesce != null) {
      c.set(JobOptions.COALESCE_UPDATES, duration("--coalesce", coalesce));
    }
    setIf(c, JobOptions.GROUP_ID.key(), groupId);
    if (start != null) {
      c.set(JobOptions.START, StartFrom.parse(start));
    }
    if (bounded) {
      c.set(JobOptions.BOUNDED, true);
    }
    if (kafkaPropertiesFile != null) {
      Properties p = KafkaProperties.load(kafkaPropertiesFile);
      for (String k : p.stringPropertyNames()) {
        c.setString(JobOptions.KAFKA_PROPERTY_PREFIX + k, p.getProperty(k));
      }
    }
    for (String arg : unmatched) {
      Map.Entry<String, String> kv = kafkaFlag(arg);
      c.setString(JobOptions.KAFKA_PROPERTY_PREFIX + kv.getKey(), kv.getValue());
    }
    return c;
  }

  /** {@code --kafka.<key>=<value>}; anything else left over is an unknown flag. */
  static Map.Entry<String, String> kafkaFlag(String arg) {
    String prefix = "--kafka.";
    int eq = arg.indexOf('=');
    if (!arg.startsWith(prefix) || eq <= prefix.length()) {
      String shown = arg.startsWith("-") && eq > 0 ? arg.substring(0, eq) : arg;
      throw new IllegalArgumentException(
          "unknown flag "
              + shown
              + ": see --help; Kafka client properties are passed as --kafka.<key>=<value>");
    }
    return Map.entry(arg.substring(prefix.length(), eq), arg.substring(eq + 1));
  }

  private static void setIf(Configuration c, String key, String value) {
    if (value != null) {
      if (value.isBlank()) {
        throw new IllegalArgumentException("the value for " + key + " is empty");
      }
      c.setString(key, value);
    }
  }

  private static int positive(String flag, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(flag + " must be at least 1, got " + v);
    }
    return v;
  }

  /** {@code 10s}, {@code 500ms}, {@code 2min}, or plain seconds. */
  public static Duration duration(String flag, String text) {
    String t = text.trim();
    try {
      return t.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(t)) : TimeUtils.parseDuration(t);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          flag + " '" + text + "' is not a duration: use e.g. 10s, 500ms, 2min, or plain seconds");
    }
  }
}
