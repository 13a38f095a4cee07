package io.simjoin.jobs.demo;

import io.simjoin.connectors.codec.DecodeException;
import io.simjoin.connectors.codec.EventCodec;
import io.simjoin.connectors.codec.RecordKeys;
import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's output the way a user's application would: a {@code read_committed} consumer of
 * the updates and alerts topics, from the offsets they had when the demo started. It keeps what the
 * progress and the verification need: counts, event-to-update latencies, each standing query's last
 * committed top-k, and the latest alerts.
 *
 * <pre>{@code
 * DemoWatcher w = new DemoWatcher(props, topics, startOffsets, codec);
 * w.start();
 * ...
 * w.awaitPositions(KafkaOffsets.endOffsets(admin, outputs, READ_COMMITTED), timeout);
 * w.last("user-0");
 * }</pre>
 */
final class DemoWatcher extends Thread {
  /** A query's last committed record: an update, or the tombstone after its cancellation. */
  record Last(long seq, UpdateCause.Kind cause, List<ScoredItem> matches, long timestamp) {
    boolean isTombstone() {
      return cause == null;
    }
  }

  private static final int KEPT_ALERTS = 5;

  final AtomicLong updates = new AtomicLong();
  final AtomicLong lookupAnswers = new AtomicLong();
  final AtomicLong alerts = new AtomicLong();
  final AtomicLong retractions = new AtomicLong();

  /** First answers of standing queries (cause REGISTERED). */
  final AtomicLong registered = new AtomicLong();

  /** Updates and alerts caused by the events of the steady stream (not the first catalogue). */
  final AtomicLong steadyUpdates = new AtomicLong();

  final AtomicLong steadyAlerts = new AtomicLong();

  /** Latencies of item-caused updates of the steady phase, since the start. */
  final LatencyHistogram latency = new LatencyHistogram();

  /** The same, since the progress last took them ({@link #takeRecentLatency}). */
  private LatencyHistogram recent = new LatencyHistogram();

  private final Map<String, Last> last = new ConcurrentHashMap<>();
  private final ArrayDeque<ThresholdMatch> latestAlerts = new ArrayDeque<>();
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String updatesTopic;
  private final Map<TopicPartition, Long> start;
  private final EventCodec codec;
  private final String namespace;
  private volatile long steadySinceMs = Long.MAX_VALUE;
  private volatile boolean stop;

  /**
   * @param props client properties with {@code bootstrap.servers} (and security, if any)
   * @param start the partitions of both topics and the offsets to read them from
   */
  DemoWatcher(
      Properties props,
      String updatesTopic,
      Map<TopicPartition, Long> start,
      EventCodec codec,
      String namespace) {
    super("simjoin-demo-watch");
    setDaemon(true);
    Properties p = new Properties();
    p.putAll(props);
    p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.updatesTopic = updatesTopic;
    this.start = Map.copyOf(start);
    this.codec = codec;
    this.namespace = namespace;
  }

  /** Latencies count from here on: the first catalogue's burst would only measure the backlog. */
  void steadyFrom(long ms) {
    steadySinceMs = ms;
  }

  @Override
  public void run() {
    try {
      consumer.assign(start.keySet());
      start.forEach(consumer::seek);
      while (!stop) {
        var records = consumer.poll(Duration.ofMillis(100));
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          if (r.topic().equals(updatesTopic)) {
            takeUpdate(r, now);
          } else if (r.value() != null) {
            ThresholdMatch m = codec.decodeAlert(r.value());
            if (m.namespace().equals(namespace)) {
              takeAlert(m);
            }
          }
        }
        for (TopicPartition tp : start.keySet()) {
          positions.put(tp, consumer.position(tp));
        }
      }
    } catch (DecodeException | RuntimeException e) {
      failure.set(e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void takeUpdate(ConsumerRecord<byte[], byte[]> r, long now) throws DecodeException {
    if (r.value() == null) {
      // The tombstone after a cancellation: compaction forgets the query.
      RecordKeys.Id id = RecordKeys.parseUpdateKey(r.key());
      if (id.namespace().equals(namespace)) {
        last.put(id.id(), new Last(-1, null, List.of(), r.timestamp()));
      }
      return;
    }
    TopKUpdate u = codec.decodeUpdate(r.value());
    if (!u.namespace().equals(namespace)) {
      return; // another run's, on a shared Kafka
    }
    updates.incrementAndGet();
    if (u.cause().kind() == UpdateCause.Kind.REGISTERED) {
      registered.incrementAndGet();
    }
    if (DemoScenario.isLookup(u.queryId())) {
      lookupAnswers.incrementAndGet();
    } else {
      last.put(u.queryId(), new Last(u.seq(), u.cause().kind(), u.matches(), u.timestamp()));
    }
    if (u.timestamp() >= steadySinceMs) {
      steadyUpdates.incrementAndGet();
    }
    if (u.cause().kind().hasItem() && u.timestamp() >= steadySinceMs) {
      long ms = now - u.timestamp();
      latency.add(ms);
      synchronized (this) {
        recent.add(ms);
      }
    }
  }

  private void takeAlert(ThresholdMatch m) {
    (m.isRetraction() ? retractions : alerts).incrementAndGet();
    if (!m.isRetraction() && m.timestamp() >= steadySinceMs) {
      steadyAlerts.incrementAndGet();
    }
    synchronized (latestAlerts) {
      latestAlerts.addFirst(m);
      while (latestAlerts.size() > KEPT_ALERTS) {
        latestAlerts.removeLast();
      }
    }
  }

  /** The latencies since the last call; the next call starts afresh. */
  synchronized LatencyHistogram takeRecentLatency() {
    LatencyHistogram r = recent;
    recent = new LatencyHistogram();
    return r;
  }

  /** A standing query's last committed record, or null if none was read. */
  Last last(String queryId) {
    return last.get(queryId);
  }

  /** The latest alerts, newest first. */
  List<ThresholdMatch> latestAlerts() {
    synchronized (latestAlerts) {
      return new ArrayList<>(latestAlerts);
    }
  }

  /** Why the consumer stopped early, if it did. */
  Throwable failure() {
    return failure.get();
  }

  /**
   * Waits until this consumer has read up to {@code ends} on every partition.
   *
   * @throws IllegalStateException if it fails or {@code timeout} passes first
   */
  void awaitPositions(Map<TopicPartition, Long> ends, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (failure.get() != null) {
        throw new IllegalStateException(
            "reading the output failed: " + failure.get().getMessage(), failure.get());
      }
      boolean done = true;
      for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
        done &= positions.getOrDefault(e.getKey(), -1L) >= e.getValue();
      }
      if (done) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out after " + timeout.toSeconds() + " s reading the committed output");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** Stops the consumer and waits for it (bounded). */
  void close() throws InterruptedException {
    stop = true;
    join(10_000);
  }
}
