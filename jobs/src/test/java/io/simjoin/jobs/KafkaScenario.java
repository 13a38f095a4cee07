package io.simjoin.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.connectors.Topics;
import io.simjoin.connectors.WireFormat;
import io.simjoin.connectors.codec.DecodeException;
import io.simjoin.connectors.codec.EventCodec;
import io.simjoin.connectors.codec.EventCodecs;
import io.simjoin.connectors.codec.RecordKeys;
import io.simjoin.connectors.testing.EmbeddedKafka;
import io.simjoin.operators.JoinOracle;
import io.simjoin.operators.JoinScenario;
import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@link JoinScenario} on Kafka: its events encoded in one wire format and keyed as the job expects
 * (half of its deletes sent as tombstones), bad records of every kind mixed in on both input
 * topics, and the committed output topics decoded and checked against the oracle.
 */
final class KafkaScenario {
  final JoinScenario sc;
  final WireFormat format;
  final Topics topics;
  final EventCodec codec;
  final List<ProducerRecord<byte[], byte[]>> itemRecords = new ArrayList<>();
  final List<ProducerRecord<byte[], byte[]>> queryRecords = new ArrayList<>();

  /** value bytes of every undecodable record sent, to check the dead letters carry them. */
  final List<byte[]> undecodable = new ArrayList<>();

  KafkaScenario(long seed, WireFormat format, Topics topics) {
    this.sc = JoinScenario.generate(seed);
    this.format = format;
    this.topics = topics;
    this.codec = EventCodecs.forFormat(format);
    SplittableRandom r = new SplittableRandom(seed);
    int deletes = 0;
    for (ItemEvent e : sc.items) {
      byte[] key = key(e.namespace(), e.id());
      boolean tombstone = e.op() == ItemEvent.Op.DELETE && key != null && deletes++ % 2 == 0;
      itemRecords.add(
          new ProducerRecord<>(topics.items(), key, tombstone ? null : codec.encodeItem(e)));
    }
    // a wrong dimension, once every namespace has fixed its own
    float[] longer = JoinOracle.vector(r, JoinScenario.D + 1);
    itemRecords.add(item(ItemEvent.upsert("books", "too-long", longer, 9_000L)));
    sc.expectedDead.merge(DeadLetter.Reason.DIMENSION_MISMATCH, 1, Integer::sum);
    queryRecords.addAll(
        sc.queries.stream()
            .map(q -> new ProducerRecord<>(topics.queries(), key(q), codec.encodeQuery(q)))
            .toList());
    queryRecords.add(
        query(QueryEvent.once("films", "once-short", new float[] {1f, 2f}, 3, 9_001L)));
    sc.expectedDead.merge(DeadLetter.Reason.DIMENSION_MISMATCH, 1, Integer::sum);
    addUndecodable();
  }

  private void addUndecodable() {
    byte[] garbage = {(byte) 0xC3, 0x01, 0x7f, 0x00, 0x13};
    byte[] notAnything = "this is not an event".getBytes(StandardCharsets.UTF_8);
    byte[] otherShape = "{\"foo\":1,\"bar\":[2,3]}".getBytes(StandardCharsets.UTF_8);
    bad(topics.items(), garbage);
    bad(topics.items(), notAnything);
    bad(topics.queries(), otherShape);
    bad(topics.queries(), new byte[] {0, 1, 2, 3});
    // a query on the items topic and an item on the queries topic
    bad(
        topics.items(),
        codec.encodeQuery(QueryEvent.once("books", "q-on-items", new float[8], 3, 1L)));
    bad(
        topics.queries(),
        codec.encodeItem(ItemEvent.upsert("books", "i-on-queries", new float[8], 1L)));
    if (format == WireFormat.JSON) {
      bad(
          topics.items(),
          json(
              "{\"namespace\":\"books\",\"id\":\"s\",\"op\":\"UPSERT\",\"vector\":[1,\"two\",3,4,5,6,7,8]}"));
      bad(
          topics.items(),
          json(
              "{\"namespace\":\"books\",\"id\":\"u\",\"op\":\"MERGE\",\"vector\":[1,2,3,4,5,6,7,8]}"));
      bad(
          topics.queries(),
          json(
              "{\"namespace\":\"books\",\"id\":\"k\",\"op\":\"ONCE\",\"k\":\"ten\",\"vector\":[1,2,3,4,5,6,7,8]}"));
      bad(
          topics.queries(),
          json(
              "{\"namespace\":\"books\",\"id\":\"o\",\"op\":\"FOREVER\",\"k\":3,\"vector\":[1,2,3,4,5,6,7,8]}"));
    } else {
      // single-object encoding with a fingerprint no simjoin schema has
      byte[] unknownSchema = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x61};
      bad(topics.items(), unknownSchema);
      bad(topics.queries(), unknownSchema.clone());
    }
    // a tombstone whose key names no item
    itemRecords.add(new ProducerRecord<>(topics.items(), json("not a key"), null));
    undecodable.add(new byte[0]);
    sc.expectedDead.merge(DeadLetter.Reason.UNDECODABLE, 1, Integer::sum);
  }

  /** The five topics named {@code prefix + "items"}, {@code prefix + "queries"} and so on. */
  static Topics prefixed(String prefix) {
    return new Topics(
        prefix + "items",
        prefix + "queries",
        prefix + "updates",
        prefix + "alerts",
        prefix + "dead-letters");
  }

  /** The job's flags that name the topics of {@code t}. */
  static List<String> topicFlags(Topics t) {
    return List.of(
        "--items-topic", t.items(),
        "--queries-topic", t.queries(),
        "--updates-topic", t.updates(),
        "--alerts-topic", t.alerts(),
        "--dead-letters-topic", t.deadLetters());
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void bad(String topic, byte[] value) {
    ProducerRecord<byte[], byte[]> rec =
        new ProducerRecord<>(topic, RecordKeys.itemKey("books", "bad"), value);
    (topic.equals(topics.items()) ? itemRecords : queryRecords).add(rec);
    undecodable.add(value);
    sc.expectedDead.merge(DeadLetter.Reason.UNDECODABLE, 1, Integer::sum);
  }

  private ProducerRecord<byte[], byte[]> item(ItemEvent e) {
    return new ProducerRecord<>(topics.items(), key(e.namespace(), e.id()), codec.encodeItem(e));
  }

  private ProducerRecord<byte[], byte[]> query(QueryEvent q) {
    return new ProducerRecord<>(topics.queries(), key(q), codec.encodeQuery(q));
  }

  private static byte[] key(QueryEvent q) {
    return key(q.namespace(), q.id());
  }

  /** The key the job expects; bad events with a missing id get none. */
  private static byte[] key(String namespace, String id) {
    return namespace == null || id == null ? null : RecordKeys.itemKey(namespace, id);
  }

  /** ONCE queries to send after the items are in: their answers must be the current top-k. */
  List<ProducerRecord<byte[], byte[]>> lateOnceQueries(Map<String, QueryEvent> sent, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (String ns : List.of("books", "films", "music")) {
      for (int i = 0; i < 4; i++) {
        float[] v = JoinOracle.vector(r, JoinScenario.D);
        String id = "once-late-" + ns + "-" + i;
        // k up to 12: more than some namespaces' shards hold, near the end of the stream
        QueryEvent q = QueryEvent.once(ns, id, v, 1 + r.nextInt(12), 10_000L + i);
        sent.put(ns + "/" + id, q);
        out.add(query(q));
      }
    }
    return out;
  }

  /** The three output topics, committed, decoded. */
  record Outputs(
      List<ConsumerRecord<byte[], byte[]>> updateRecords,
      List<TopKUpdate> updates,
      List<ThresholdMatch> alerts,
      List<DeadLetter> deadLetters) {}

  /** Where the committed records of a topic come from: a broker in this JVM or in a child one. */
  interface CommittedReader {
    List<ConsumerRecord<byte[], byte[]>> consumeCommitted(String topic);
  }

  Outputs read(EmbeddedKafka kafka) throws DecodeException {
    return read(kafka::consumeCommitted);
  }

  Outputs read(CommittedReader kafka) throws DecodeException {
    List<ConsumerRecord<byte[], byte[]>> raw = kafka.consumeCommitted(topics.updates());
    List<TopKUpdate> updates = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> rec : raw) {
      if (rec.value() != null) {
        updates.add(codec.decodeUpdate(rec.value()));
      }
    }
    List<ThresholdMatch> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> rec : kafka.consumeCommitted(topics.alerts())) {
      alerts.add(codec.decodeAlert(rec.value()));
    }
    List<DeadLetter> dead = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> rec : kafka.consumeCommitted(topics.deadLetters())) {
      dead.add(codec.decodeDeadLetter(rec.value()));
    }
    return new Outputs(raw, updates, alerts, dead);
  }

  /** Whether the committed output already passes {@link #check} (for waiting on it). */
  boolean converged(CommittedReader kafka) {
    try {
      check(read(kafka));
      return true;
    } catch (AssertionError | DecodeException e) {
      return false;
    }
  }

  /** Waits up to {@code timeout} for the output to converge, then checks it (failing with why). */
  Outputs awaitAndCheck(EmbeddedKafka kafka, Duration timeout) throws Exception {
    return awaitAndCheck(kafka::consumeCommitted, timeout);
  }

  Outputs awaitAndCheck(CommittedReader kafka, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!converged(kafka) && System.nanoTime() < deadline) {
      Thread.sleep(1000);
    }
    Outputs out = read(kafka);
    check(out);
    return out;
  }

  /** The oracle's checks, plus what only Kafka has: tombstones, origins, raw bytes. */
  void check(Outputs out) {
    sc.check(out.updates(), out.alerts(), out.deadLetters());
    // a cancelled query's key ends with its CANCELLED update, then a tombstone
    Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> rec : out.updateRecords()) {
      byKey
          .computeIfAbsent(new String(rec.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
          .add(rec);
    }
    for (String cancelled : sc.cancelled) {
      String[] nsId = cancelled.split("/", 2);
      List<ConsumerRecord<byte[], byte[]>> recs =
          byKey.get(new String(RecordKeys.updateKey(nsId[0], nsId[1]), StandardCharsets.UTF_8));
      assertThat(recs).as("records of %s", cancelled).hasSizeGreaterThanOrEqualTo(2);
      assertThat(recs.get(recs.size() - 1).value()).as("tombstone last for %s", cancelled).isNull();
      TopKUpdate beforeLast;
      try {
        beforeLast = codec.decodeUpdate(recs.get(recs.size() - 2).value());
      } catch (DecodeException e) {
        throw new AssertionError(e);
      }
      assertThat(beforeLast.cause().kind()).isEqualTo(UpdateCause.Kind.CANCELLED);
    }
    // every dead letter says where its record was; undecodable ones carry its bytes
    List<byte[]> rawBytes = new ArrayList<>();
    for (DeadLetter d : out.deadLetters()) {
      assertThat(d.origin()).as("origin of %s", d).isPresent();
      assertThat(d.origin().orElseThrow().topic()).isIn(topics.items(), topics.queries());
      assertThat(d.origin().orElseThrow().offset()).isNotNegative();
      if (d.subject() == DeadLetter.Subject.RECORD) {
        rawBytes.add(d.record().orElseThrow());
        assertThat(d.message()).contains(d.origin().orElseThrow().toString());
      }
    }
    assertThat(rawBytes)
        .usingElementComparator(java.util.Arrays::compare)
        .containsExactlyInAnyOrderElementsOf(undecodable);
  }

  /** Asserts every late ONCE query got one answer, its exact top-k over the final items. */
  void checkLateOnce(List<TopKUpdate> updates, Map<String, QueryEvent> sent) {
    Map<String, List<TopKUpdate>> answers = new HashMap<>();
    for (TopKUpdate u : updates) {
      String key = u.namespace() + "/" + u.queryId();
      if (sent.containsKey(key)) {
        answers.computeIfAbsent(key, k -> new ArrayList<>()).add(u);
      }
    }
    assertThat(answers.keySet()).containsExactlyInAnyOrderElementsOf(sent.keySet());
    for (Map.Entry<String, List<TopKUpdate>> e : answers.entrySet()) {
      assertThat(e.getValue()).as("answers to %s", e.getKey()).hasSize(1);
      TopKUpdate u = e.getValue().get(0);
      assertThat(u.cause().kind()).isEqualTo(UpdateCause.Kind.ONCE);
      QueryEvent q = sent.get(e.getKey());
      JoinOracle.assertTopK(e.getKey(), q.vector(), q.k(), u.matches(), sc.live.get(q.namespace()));
    }
  }
}
