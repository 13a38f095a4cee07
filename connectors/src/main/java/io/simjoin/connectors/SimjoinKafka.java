package io.simjoin.connectors;

import java.util.Objects;
import java.util.Properties;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Kafka ends of a simjoin job: a source per input topic and one transactional sink for the
 * three output topics, built with flink-connector-kafka's builders.
 *
 * <pre>{@code
 * SimjoinKafka kafka =
 *     SimjoinKafka.builder()
 *         .bootstrapServers("127.0.0.1:9092")
 *         .topics(Topics.DEFAULT)
 *         .groupId("simjoin")
 *         .startFrom(StartFrom.COMMITTED)
 *         .bounded(false)
 *         .properties(clientProperties)      // SASL, SSL, ...: passed to every client
 *         .build();
 * DataStream<RawRecord> items =
 *     env.fromSource(kafka.itemSource(), WatermarkStrategy.noWatermarks(), "items");
 * outputs.sinkTo(kafka.sink());
 * }</pre>
 *
 * <p>Exactly-once: the sources keep their offsets in Flink's checkpoints (and commit them to the
 * group when a checkpoint completes, for monitoring and for {@link StartFrom#COMMITTED}); the sink
 * writes each checkpoint's output in Kafka transactions committed when the checkpoint completes, so
 * consumers must read with {@code isolation.level=read_committed}. {@code transaction.timeout.ms}
 * defaults to {@value #DEFAULT_TRANSACTION_TIMEOUT_MS} (within a broker's default maximum of 15
 * minutes; Flink's own default of one hour is refused by such a broker); set it in the properties
 * to change it. The sink's records carry no partition, so the producer partitions by key: one
 * query's updates stay in one partition, in order.
 */
@PublicEvolving
public final class SimjoinKafka {
  /** The transaction timeout unless the properties set one. */
  public static final String DEFAULT_TRANSACTION_TIMEOUT_MS = "600000";

  private final String bootstrapServers;
  private final Topics topics;
  private final String groupId;
  private final StartFrom startFrom;
  private final boolean bounded;
  private final Properties properties;
  private final DeliveryGuarantee guarantee;
  private final String transactionalIdPrefix;

  private SimjoinKafka(Builder b) {
    this.bootstrapServers = b.bootstrapServers;
    this.topics = b.topics;
    this.groupId = b.groupId;
    this.startFrom = b.startFrom;
    this.bounded = b.bounded;
    this.properties = b.properties;
    this.guarantee = b.guarantee;
    this.transactionalIdPrefix =
        b.transactionalIdPrefix != null ? b.transactionalIdPrefix : "simjoin-" + b.groupId;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Topics topics() {
    return topics;
  }

  /** The source of the items topic. */
  public KafkaSource<RawRecord> itemSource() {
    return source(topics.items());
  }

  /** The source of the queries topic. */
  public KafkaSource<RawRecord> querySource() {
    return source(topics.queries());
  }

  private KafkaSource<RawRecord> source(String topic) {
    var b =
        KafkaSource.<RawRecord>builder()
            .setProperties(properties)
            .setBootstrapServers(bootstrapServers)
            .setTopics(topic)
            .setGroupId(groupId)
            .setClientIdPrefix(groupId + "-" + topic)
            .setStartingOffsets(startFrom.offsets())
            .setDeserializer(new RawRecordDeserializer())
            // Transactional producers (ours upstream, anyone's) leave aborted records behind.
            .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    if (bounded) {
      b.setBounded(OffsetsInitializer.latest());
    }
    return b.build();
  }

  /** One sink for the updates, alerts and dead-letters topics; each record names its topic. */
  public KafkaSink<RawRecord> sink() {
    Properties p = new Properties();
    p.putAll(properties);
    p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, DEFAULT_TRANSACTION_TIMEOUT_MS);
    // Kafka clients 4.x would warn about every consumer-only key the user gave for both.
    p.remove(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
    return KafkaSink.<RawRecord>builder()
        .setBootstrapServers(bootstrapServers)
        .setKafkaProducerConfig(p)
        .setDeliveryGuarantee(guarantee)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setRecordSerializer(new RawRecordSerializationSchema())
        .build();
  }

  /** Reads a consumer record as a {@link RawRecord}; decoding comes after, in the job. */
  static final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<RawRecord> out) {
      out.collect(
          RawRecord.read(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
      return RawRecord.TYPE_INFO;
    }
  }

  /** Writes a {@link RawRecord} to the topic it names, partitioned by key, stamped on send. */
  static final class RawRecordSerializationSchema
      implements KafkaRecordSerializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
        RawRecord r, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(r.topic(), null, null, r.key(), r.value());
    }
  }

  /** Configures {@link SimjoinKafka}; {@link #build()} says what is missing. */
  public static final class Builder {
    private String bootstrapServers;
    private Topics topics = Topics.DEFAULT;
    private String groupId = "simjoin";
    private StartFrom startFrom = StartFrom.COMMITTED;
    private boolean bounded;
    private Properties properties = new Properties();
    private DeliveryGuarantee guarantee = DeliveryGuarantee.EXACTLY_ONCE;
    private String transactionalIdPrefix;

    private Builder() {}

    /** {@code host:port[,host:port…]} of the brokers (required). */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /** The topics (default {@link Topics#DEFAULT}). */
    public Builder topics(Topics topics) {
      this.topics = Objects.requireNonNull(topics, "topics");
      return this;
    }

    /** The consumer group (default {@code simjoin}); also names the sink's transactions. */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /** Where to start without a checkpoint (default {@link StartFrom#COMMITTED}). */
    public Builder startFrom(StartFrom startFrom) {
      this.startFrom = Objects.requireNonNull(startFrom, "startFrom");
      return this;
    }

    /**
     * Whether the sources stop at the end offsets the topics had when the job started (a backfill:
     * the job finishes, committing its output); default false.
     */
    public Builder bounded(boolean bounded) {
      this.bounded = bounded;
      return this;
    }

    /** Client properties for every consumer and producer (copied). */
    public Builder properties(Properties properties) {
      this.properties = new Properties();
      this.properties.putAll(properties);
      return this;
    }

    /** Default {@link DeliveryGuarantee#EXACTLY_ONCE}. */
    public Builder deliveryGuarantee(DeliveryGuarantee guarantee) {
      this.guarantee = Objects.requireNonNull(guarantee, "guarantee");
      return this;
    }

    /**
     * The prefix of the sink's transactional ids (default {@code simjoin-<groupId>}): unique per
     * job on a cluster, and stable across its restarts so that a restarted job can abort what its
     * predecessor left open.
     */
    public Builder transactionalIdPrefix(String prefix) {
      this.transactionalIdPrefix = prefix;
      return this;
    }

    public SimjoinKafka build() {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException(
            "no Kafka brokers: set bootstrapServers(\"host:port\") (--bootstrap-servers)");
      }
      if (groupId == null || groupId.isBlank()) {
        throw new IllegalArgumentException("the consumer group id is empty: set groupId(...)");
      }
      return new SimjoinKafka(this);
    }
  }
}
