package io.simjoin.jobs;

import io.simjoin.connectors.StartFrom;
import io.simjoin.connectors.Topics;
import io.simjoin.connectors.WireFormat;
import io.simjoin.operators.SimilarityJoin;
import io.simjoin.operators.validation.EventValidator;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Every option of {@link SimilarityJoinJob}, declared once: the command line ({@code ./simjoin run
 * --items-topic …}, {@code flink run … --items-topic …}) sets these keys, and a Flink configuration
 * ({@code config.yaml}, {@code -D}) can set them too. Flink's own keys do the rest: {@code
 * parallelism.default}, {@code execution.checkpointing.interval}, {@code
 * execution.checkpointing.dir}, {@code state.backend.type}.
 *
 * <pre>{@code
 * Configuration conf = new Configuration();
 * conf.set(JobOptions.BOOTSTRAP_SERVERS, "127.0.0.1:9092");
 * conf.set(JobOptions.FORMAT, WireFormat.JSON);
 * conf.setString(JobOptions.KAFKA_PROPERTY_PREFIX + "security.protocol", "SASL_SSL");
 * }</pre>
 */
public final class JobOptions {
  private JobOptions() {}

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      ConfigOptions.key("simjoin.kafka.bootstrap-servers")
          .stringType()
          .noDefaultValue()
          .withDescription("host:port[,host:port...] of the Kafka brokers (required).");

  public static final ConfigOption<String> ITEMS_TOPIC =
      ConfigOptions.key("simjoin.topics.items")
          .stringType()
          .defaultValue(Topics.DEFAULT.items())
          .withDescription(
              "Item events in: upserts and deletes; a null value deletes the item its key names.");

  public static final ConfigOption<String> QUERIES_TOPIC =
      ConfigOptions.key("simjoin.topics.queries")
          .stringType()
          .defaultValue(Topics.DEFAULT.queries())
          .withDescription("Query events in: ONCE, REGISTER, CANCEL.");

  public static final ConfigOption<String> UPDATES_TOPIC =
      ConfigOptions.key("simjoin.topics.updates")
          .stringType()
          .defaultValue(Topics.DEFAULT.updates())
          .withDescription(
              "Top-k updates out, keyed by namespace and query id (log-compaction keeps each"
                  + " query's current top-k).");

  public static final ConfigOption<String> ALERTS_TOPIC =
      ConfigOptions.key("simjoin.topics.alerts")
          .stringType()
          .defaultValue(Topics.DEFAULT.alerts())
          .withDescription("Threshold matches and their retractions out.");

  public static final ConfigOption<String> DEAD_LETTERS_TOPIC =
      ConfigOptions.key("simjoin.topics.dead-letters")
          .stringType()
          .defaultValue(Topics.DEFAULT.deadLetters())
          .withDescription("Rejected input out, with the reason and the record's origin.");

  public static final ConfigOption<WireFormat> FORMAT =
      ConfigOptions.key("simjoin.format")
          .enumType(WireFormat.class)
          .defaultValue(WireFormat.AVRO)
          .withDescription(
              "Wire format of all five topics: AVRO (single-object encoding) or JSON.");

  public static final ConfigOption<Integer> SHARDS =
      ConfigOptions.key("simjoin.shards")
          .intType()
          .defaultValue(SimilarityJoin.DEFAULT_SHARDS)
          .withDescription(
              "Item shards per namespace; fixed for the life of a job (a savepoint restores only"
                  + " with the same value).");

  public static final ConfigOption<Integer> MAX_K =
      ConfigOptions.key("simjoin.max-k")
          .intType()
          .defaultValue(EventValidator.DEFAULT_MAX_K)
          .withDescription("Largest k a query may ask for; a larger one is a dead letter.");

  public static final ConfigOption<Integer> MAX_DIMENSION =
      ConfigOptions.key("simjoin.max-dimension")
          .intType()
          .defaultValue(EventValidator.DEFAULT_MAX_DIMENSION)
          .withDescription("Largest vector dimension accepted; a larger one is a dead letter.");

  public static final ConfigOption<Duration> COALESCE_UPDATES =
      ConfigOptions.key("simjoin.coalesce-updates")
          .durationType()
          .defaultValue(Duration.ZERO)
          .withDescription(
              "0 (default): every change of a top-k is emitted. An interval: each query's"
                  + " changes are sent at most once per interval (and before every checkpoint),"
                  + " which raises the throughput when many top-k lists change at once.");

  public static final ConfigOption<String> GROUP_ID =
      ConfigOptions.key("simjoin.kafka.group-id")
          .stringType()
          .defaultValue("simjoin")
          .withDescription(
              "Consumer group of the sources; also names the sink's transactional ids, so keep it"
                  + " unique per job on a Kafka cluster.");

  public static final ConfigOption<StartFrom> START =
      ConfigOptions.key("simjoin.kafka.start")
          .enumType(StartFrom.class)
          .defaultValue(StartFrom.COMMITTED)
          .withDescription(
              "Where to start without a checkpoint: EARLIEST, LATEST, or COMMITTED (the group's"
                  + " committed offsets, else the beginning).");

  public static final ConfigOption<Boolean> BOUNDED =
      ConfigOptions.key("simjoin.bounded")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Read each input topic up to the end offsets it had at start, process everything,"
                  + " commit the output and finish (a backfill).");

  /**
   * Keys under this prefix are Kafka client properties for every consumer and producer of the job
   * ({@code simjoin.kafka.properties.security.protocol: SASL_SSL}); the command line's {@code
   * --kafka.<key>=<value>} and {@code --kafka-properties FILE} set them.
   */
  public static final String KAFKA_PROPERTY_PREFIX = "simjoin.kafka.properties.";

  /** The topics the options name. */
  static Topics topics(ReadableConfig conf) {
    return new Topics(
        conf.get(ITEMS_TOPIC),
        conf.get(QUERIES_TOPIC),
        conf.get(UPDATES_TOPIC),
        conf.get(ALERTS_TOPIC),
        conf.get(DEAD_LETTERS_TOPIC));
  }

  /** The Kafka client properties under {@link #KAFKA_PROPERTY_PREFIX}. */
  static Properties kafkaProperties(Map<String, String> conf) {
    Properties p = new Properties();
    conf.forEach(
        (k, v) -> {
          if (k.startsWith(KAFKA_PROPERTY_PREFIX) && k.length() > KAFKA_PROPERTY_PREFIX.length()) {
            p.setProperty(k.substring(KAFKA_PROPERTY_PREFIX.length()), v);
          }
        });
    return p;
  }
}
