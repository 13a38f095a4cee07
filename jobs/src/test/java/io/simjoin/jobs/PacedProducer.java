package io.simjoin.jobs;

import io.simjoin.connectors.testing.EmbeddedKafka;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends records in order in a background thread, a batch at a time with a pause between batches, so
 * a test can act while a stream is still arriving. Each batch is acknowledged before the next is
 * sent, which keeps every partition's order.
 *
 * <pre>{@code
 * PacedProducer p = PacedProducer.start(servers, records, 40, 250);  // 40 records per 250 ms
 * ... p.sent() ...
 * p.join();                                                         // rethrows a send failure
 * }</pre>
 */
final class PacedProducer {
  private final List<ProducerRecord<byte[], byte[]>> records;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean stopped;

  private PacedProducer(
      String bootstrapServers, List<ProducerRecord<byte[], byte[]>> records, int batch, long ms) {
    this.records = records;
    this.thread = new Thread(() -> run(bootstrapServers, batch, ms), "paced-producer");
    thread.setDaemon(true);
  }

  static PacedProducer start(
      String bootstrapServers, List<ProducerRecord<byte[], byte[]>> records, int batch, long ms) {
    PacedProducer p = new PacedProducer(bootstrapServers, records, batch, ms);
    p.thread.start();
    return p;
  }

  private void run(String bootstrapServers, int batch, long ms) {
    try (KafkaProducer<byte[], byte[]> p = EmbeddedKafka.producer(bootstrapServers)) {
      for (int i = 0; i < records.size() && !stopped; i += batch) {
        List<ProducerRecord<byte[], byte[]>> chunk =
            records.subList(i, Math.min(records.size(), i + batch));
        List<java.util.concurrent.Future<?>> acks =
            chunk.stream().<java.util.concurrent.Future<?>>map(p::send).toList();
        for (java.util.concurrent.Future<?> f : acks) {
          f.get(120, TimeUnit.SECONDS);
        }
        sent.addAndGet(chunk.size());
        Thread.sleep(ms);
      }
    } catch (Throwable t) {
      failure.set(t);
    }
  }

  /** Records acknowledged so far. */
  int sent() {
    return sent.get();
  }

  int total() {
    return records.size();
  }

  /** Waits until every record is sent, rethrowing what made a send fail. */
  void join() throws Exception {
    thread.join(TimeUnit.MINUTES.toMillis(5));
    if (failure.get() != null) {
      throw new IllegalStateException("sending the stream failed", failure.get());
    }
    if (thread.isAlive() || sent.get() != records.size()) {
      throw new IllegalStateException("sent " + sent.get() + " of " + records.size() + " records");
    }
  }

  /** Stops sending (after a failed test) and waits for the thread. */
  void stop() throws InterruptedException {
    stopped = true;
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }
}
