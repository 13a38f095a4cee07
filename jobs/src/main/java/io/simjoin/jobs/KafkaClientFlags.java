package io.simjoin.jobs;

import io.simjoin.connectors.KafkaProperties;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** The Kafka flags of the tools ({@code tail}, {@code produce}): where the broker is, and how. */
final class KafkaClientFlags {
  /** The broker the tools and {@code ./simjoin demo} use unless told otherwise. */
  static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      defaultValue = DEFAULT_BOOTSTRAP,
      description = "Kafka brokers. Default: ${DEFAULT-VALUE} (where ./simjoin demo puts its own).")
  String bootstrapServers;

  @Option(
      names = "--kafka-properties",
      paramLabel = "FILE",
      description = "Kafka client properties (SASL, SSL, ...).")
  Path kafkaPropertiesFile;

  /**
   * The client properties: the file's, then every {@code --kafka.<key>=<value>} among the command's
   * unmatched arguments (picocli collects those in the command, not in a mixin).
   *
   * @throws IllegalArgumentException on an unknown flag or an unreadable file
   */
  Properties properties(List<String> unmatched) {
    Properties p =
        kafkaPropertiesFile == null ? new Properties() : KafkaProperties.load(kafkaPropertiesFile);
    for (String arg : unmatched) {
      Map.Entry<String, String> kv = JobFlags.kafkaFlag(arg);
      p.setProperty(kv.getKey(), kv.getValue());
    }
    p.setProperty("bootstrap.servers", bootstrapServers);
    return p;
  }
}
