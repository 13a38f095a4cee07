package io.simjoin.jobs;

import io.simjoin.connectors.DecodeRecords;
import io.simjoin.connectors.EncodeRecords;
import io.simjoin.connectors.RawRecord;
import io.simjoin.connectors.SimjoinKafka;
import io.simjoin.connectors.Topics;
import io.simjoin.connectors.WireFormat;
import io.simjoin.operators.ShardJoin;
import io.simjoin.operators.SimilarityJoin;
import io.simjoin.operators.events.EventTypeInfo;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The simjoin job: Kafka in, the exact top-k join, Kafka out. It takes its inputs and its sink as
 * arguments, so tests can wire bounded or failing inputs and the real job wires Kafka:
 *
 * <pre>{@code
 * // on a cluster:  flink run -c io.simjoin.jobs.SimilarityJoinJob simjoin-job.jar \
 * //                  --bootstrap-servers kafka:9092 --format json
 * Configuration conf = new Configuration();
 * conf.set(JobOptions.BOOTSTRAP_SERVERS, "127.0.0.1:9092");
 * SimilarityJoinJob job = new SimilarityJoinJob(conf);
 * job.attachToKafka(env);        // or job.attach(items, queries, sink) with streams of RawRecord
 * env.execute("simjoin");
 * }</pre>
 *
 * <p>Records are decoded right after the sources, at their parallelism, so each partition's order
 * survives; undecodable records become dead letters with their bytes and origin. Every stateful
 * operator has a stable uid ({@link SimilarityJoin} and {@link #UID_ITEMS_SOURCE} …), so a
 * savepoint restores across job upgrades and parallelism changes. Exactly-once end to end: the
 * source offsets are in the checkpoints and the single sink of the three output topics writes Kafka
 * transactions committed with each checkpoint; consumers read with {@code
 * isolation.level=read_committed}.
 */
public final class SimilarityJoinJob {
  public static final String UID_ITEMS_SOURCE = "simjoin-items-source";
  public static final String UID_QUERIES_SOURCE = "simjoin-queries-source";
  public static final String UID_SINK = "simjoin-kafka-sink";

  /** Checkpoint interval unless {@code execution.checkpointing.interval} is set. */
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

  private final ReadableConfig conf;
  private final Map<String, String> confMap;

  /**
   * @param conf the job's options ({@link JobOptions}) and Flink's own
   */
  public SimilarityJoinJob(Configuration conf) {
    this.conf = conf;
    this.confMap = conf.toMap();
  }

  /** The Kafka ends the options describe. */
  public SimjoinKafka kafka() {
    return SimjoinKafka.builder()
        .bootstrapServers(conf.get(JobOptions.BOOTSTRAP_SERVERS))
        .topics(JobOptions.topics(conf))
        .groupId(conf.get(JobOptions.GROUP_ID))
        .startFrom(conf.get(JobOptions.START))
        .bounded(conf.get(JobOptions.BOUNDED))
        .properties(JobOptions.kafkaProperties(confMap))
        .build();
  }

  /** Wires the whole job onto {@code env}: the Kafka sources, the join and the Kafka sink. */
  public void attachToKafka(StreamExecutionEnvironment env) {
    SimjoinKafka kafka = kafka();
    DataStream<RawRecord> items =
        env.fromSource(kafka.itemSource(), WatermarkStrategy.noWatermarks(), "Kafka items")
            .uid(UID_ITEMS_SOURCE);
    DataStream<RawRecord> queries =
        env.fromSource(kafka.querySource(), WatermarkStrategy.noWatermarks(), "Kafka queries")
            .uid(UID_QUERIES_SOURCE);
    attach(items, queries, kafka.sink());
  }

  /**
   * Wires the join between records of the two input topics and a sink for the records of the three
   * output topics (each record names its topic).
   */
  public void attach(
      DataStream<RawRecord> items, DataStream<RawRecord> queries, Sink<RawRecord> sink) {
    output(items, queries).sinkTo(sink).name("Kafka updates, alerts, dead letters").uid(UID_SINK);
  }

  /** The join between input records and the encoded output records, for any sink. */
  public DataStream<RawRecord> output(DataStream<RawRecord> items, DataStream<RawRecord> queries) {
    WireFormat format = conf.get(JobOptions.FORMAT);
    Topics topics = JobOptions.topics(conf);
    SingleOutputStreamOperator<ItemEvent> decodedItems =
        items
            .process(new DecodeRecords.Items(format), EventTypeInfo.ITEM_EVENT)
            .setParallelism(items.getParallelism())
            .uid("simjoin-decode-items")
            .name("Decode items");
    SingleOutputStreamOperator<QueryEvent> decodedQueries =
        queries
            .process(new DecodeRecords.Queries(format), EventTypeInfo.QUERY_EVENT)
            .setParallelism(queries.getParallelism())
            .uid("simjoin-decode-queries")
            .name("Decode queries");
    SimilarityJoin.Result join =
        SimilarityJoin.builder()
            .items(decodedItems)
            .queries(decodedQueries)
            .shards(conf.get(JobOptions.SHARDS))
            .maxK(conf.get(JobOptions.MAX_K))
            .maxDimension(conf.get(JobOptions.MAX_DIMENSION))
            .coalesceUpdates(conf.get(JobOptions.COALESCE_UPDATES))
            .build();
    DataStream<RawRecord> updates =
        join.updates()
            .flatMap(new EncodeRecords.Updates(format, topics.updates()), RawRecord.TYPE_INFO)
            .name("Encode updates");
    DataStream<RawRecord> alerts =
        join.alerts()
            .flatMap(new EncodeRecords.Alerts(format, topics.alerts()), RawRecord.TYPE_INFO)
            .name("Encode alerts");
    DataStream<RawRecord> deadLetters =
        join.deadLetters()
            .union(
                decodedItems.getSideOutput(ShardJoin.DEAD_LETTERS),
                decodedQueries.getSideOutput(ShardJoin.DEAD_LETTERS))
            .flatMap(
                new EncodeRecords.DeadLetters(format, topics.deadLetters()), RawRecord.TYPE_INFO)
            .name("Encode dead letters");
    return updates.union(alerts, deadLetters);
  }

  /**
   * The Flink settings the job needs unless the user set them: RocksDB with incremental checkpoints
   * every {@link #DEFAULT_CHECKPOINT_INTERVAL}, and no Kryo.
   */
  public static Configuration withJobDefaults(Configuration conf) {
    Configuration c = new Configuration(conf);
    setIfAbsent(c, "state.backend.type", "rocksdb");
    setIfAbsent(c, "execution.checkpointing.incremental", "true");
    setIfAbsent(
        c, "execution.checkpointing.interval", DEFAULT_CHECKPOINT_INTERVAL.toMillis() + " ms");
    setIfAbsent(c, "pipeline.generic-types", "false");
    return c;
  }

  private static void setIfAbsent(Configuration c, String key, String value) {
    if (!c.containsKey(key)) {
      c.setString(key, value);
    }
  }

  /**
   * {@code flink run}: the same flags as {@code ./simjoin run} (see {@link JobFlags}), on the
   * cluster's environment; {@code simjoin.*} keys of the cluster's configuration apply where no
   * flag is given.
   *
   * @throws IllegalArgumentException on a bad flag, saying what to fix
   */
  public static void main(String[] args) throws Exception {
    JobFlags flags = JobFlags.parse(args);
    StreamExecutionEnvironment probe = StreamExecutionEnvironment.getExecutionEnvironment();
    Configuration conf = withJobDefaults(flags.toConfiguration(probe.getConfiguration()));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    new SimilarityJoinJob(conf).attachToKafka(env);
    env.execute("simjoin");
  }
}
