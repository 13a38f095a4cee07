package io.simjoin.jobs.demo;

import io.simjoin.connectors.Topics;
import io.simjoin.connectors.codec.EventCodec;
import io.simjoin.connectors.codec.RecordKeys;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Streams a {@link DemoScenario} into the input topics as a user's application would: records keyed
 * by namespace and id (so one id's events stay in order), encoded in the job's wire format, each
 * stamped with its produce time so the latency can be measured from the output. {@link #seed()}
 * sends the first catalogue and the standing queries at once; {@link #start()} then streams item
 * events at a steady rate on its own thread until {@link #stopAndFlush()}.
 *
 * <pre>{@code
 * DemoProducer p = new DemoProducer(props, Topics.DEFAULT, codec, scenario, 200);
 * p.seed();
 * p.start();
 * ...
 * p.stopAndFlush();   // every event the scenario made is in Kafka
 * }</pre>
 */
final class DemoProducer implements DemoScenario.Events, AutoCloseable {
  // Steps are paced in small batches: a sleep per event would cost more than the event.
  private static final long TICK_MS = 10;

  final AtomicLong itemEvents = new AtomicLong();
  final AtomicLong queryEvents = new AtomicLong();
  private final Map<ItemEvent.Op, AtomicLong> itemOps = new EnumMap<>(ItemEvent.Op.class);
  private final Map<QueryEvent.Op, AtomicLong> queryOps = new EnumMap<>(QueryEvent.Op.class);
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final KafkaProducer<byte[], byte[]> producer;
  private final Topics topics;
  private final EventCodec codec;
  private final DemoScenario scenario;
  private final int rate;
  private final Thread thread;
  private volatile boolean stop;

  DemoProducer(Properties props, Topics topics, EventCodec codec, DemoScenario scenario, int rate) {
    Properties p = new Properties();
    p.putAll(props);
    p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
    p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.topics = topics;
    this.codec = codec;
    this.scenario = scenario;
    this.rate = rate;
    for (ItemEvent.Op op : ItemEvent.Op.values()) {
      itemOps.put(op, new AtomicLong());
    }
    for (QueryEvent.Op op : QueryEvent.Op.values()) {
      queryOps.put(op, new AtomicLong());
    }
    this.thread = new Thread(this::stream, "simjoin-demo-produce");
    thread.setDaemon(true);
  }

  /** The first catalogue, the users and the alert profiles, as fast as Kafka takes them. */
  void seed() {
    scenario.seed(this, System.currentTimeMillis());
    producer.flush();
  }

  /** Starts the steady stream; returns its start time (latencies count from there). */
  long start() {
    long since = System.currentTimeMillis();
    thread.start();
    return since;
  }

  private void stream() {
    long startNs = System.nanoTime();
    long steps = 0;
    try {
      while (!stop && failure.get() == null) {
        long due = (System.nanoTime() - startNs) / 1_000_000 * rate / 1000;
        long now = System.currentTimeMillis();
        // Never catch up more than a second at once: after a stall (a full buffer, a busy machine)
        // the rate stays steady instead of bursting.
        steps = Math.max(steps, due - rate);
        while (steps < due && !stop) {
          scenario.step(this, now);
          steps++;
        }
        TimeUnit.MILLISECONDS.sleep(TICK_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  @Override
  public void item(ItemEvent e) {
    send(topics.items(), RecordKeys.itemKey(e.namespace(), e.id()), codec.encodeItem(e));
    itemEvents.incrementAndGet();
    itemOps.get(e.op()).incrementAndGet();
  }

  @Override
  public void query(QueryEvent e) {
    send(topics.queries(), RecordKeys.queryKey(e.namespace(), e.id()), codec.encodeQuery(e));
    queryEvents.incrementAndGet();
    queryOps.get(e.op()).incrementAndGet();
  }

  private void send(String topic, byte[] key, byte[] value) {
    producer.send(
        new ProducerRecord<>(topic, key, value),
        (md, ex) -> {
          if (ex != null) {
            failure.compareAndSet(null, ex);
          }
        });
  }

  long itemOps(ItemEvent.Op op) {
    return itemOps.get(op).get();
  }

  long queryOps(QueryEvent.Op op) {
    return queryOps.get(op).get();
  }

  /** Why producing failed, if it did. */
  Exception failure() {
    return failure.get();
  }

  /**
   * Stops the stream and waits until Kafka has every event sent; after this the scenario is the
   * truth of what the job was given.
   *
   * @throws IllegalStateException if a send failed
   */
  void stopAndFlush() throws InterruptedException {
    stop = true;
    if (thread.isAlive()) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
    producer.flush();
    if (failure.get() != null) {
      throw new IllegalStateException(
          "producing the scenario failed: " + failure.get().getMessage(), failure.get());
    }
  }

  @Override
  public void close() {
    stop = true;
    producer.close(Duration.ofSeconds(5));
  }
}
