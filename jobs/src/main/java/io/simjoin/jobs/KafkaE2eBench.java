package io.simjoin.jobs;

import io.simjoin.bench.ExactScan;
import io.simjoin.bench.JsonLine;
import io.simjoin.bench.KafkaE2e;
import io.simjoin.bench.Percentiles;
import io.simjoin.bench.data.SyntheticData.Role;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.connectors.StartFrom;
import io.simjoin.connectors.Topics;
import io.simjoin.connectors.WireFormat;
import io.simjoin.connectors.codec.DecodeException;
import io.simjoin.connectors.codec.EventCodec;
import io.simjoin.connectors.codec.EventCodecs;
import io.simjoin.connectors.codec.RecordKeys;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code bench --e2e --kafka}: the {@code --e2e} stream through a real broker ({@link LocalKafka},
 * a child JVM) and the real {@link SimilarityJoinJob} (Avro, exactly-once, RocksDB, the bench's
 * checkpoint interval), measured from outside as a user would: the standing queries are produced
 * and, once all their first answers are committed, the items (encoded before the clock starts).
 *
 * <ul>
 *   <li>{@code items_per_s}, {@code updates_per_s}: items over the time from the first item sent to
 *       the last item-caused update written by the job's transactional producer (seen by a {@code
 *       read_uncommitted} consumer), so the rate is the job's and not the checkpoint interval's.
 *   <li>{@code latency_ms_p50/p99}: from an item's send to its update being readable by a {@code
 *       read_committed} consumer, over the updates of the checked standing queries ({@code
 *       latency_samples} of them): includes the wait for the checkpoint that commits it.
 *   <li>{@code items_per_s_committed}: items over the time to the last committed update.
 * </ul>
 */
public final class KafkaE2eBench implements KafkaE2e {
  private static final String NAMESPACE = "bench";
  private static final int CHECKED_QUERIES = 100;
  private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(30);

  /** For ServiceLoader. */
  public KafkaE2eBench() {}

  @Override
  public Result run(Settings s, PrintWriter err) throws Exception {
    int n = s.items().n();
    int nq = Math.min(s.standing(), s.queries().n());
    VectorSet items = s.items().load(Role.ITEMS);
    VectorSet queries = s.queries().load(Role.QUERIES);
    Path tmp = Files.createTempDirectory("simjoin-bench-kafka");
    Topics t = Topics.DEFAULT;
    try (LocalKafka kafka = LocalKafka.start(0)) {
      kafka.createTopics(
          s.parallelism(), t.items(), t.queries(), t.updates(), t.alerts(), t.deadLetters());
      say(
          err,
          "kafka e2e: broker at %s; %d standing queries, then %d items (d=%d)",
          kafka.bootstrapServers(),
          nq,
          n,
          items.d());
      Configuration conf = jobConf(s, kafka.bootstrapServers(), tmp, nq);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
      new SimilarityJoinJob(conf).attachToKafka(env);
      JobClient job = env.executeAsync("simjoin bench --kafka");
      AtomicLongArray sentMs = new AtomicLongArray(n);
      Set<ByteBuffer> checked = checkedKeys(nq);
      Watch committed = new Watch(kafka.bootstrapServers(), t.updates(), true, checked, sentMs);
      Watch written = new Watch(kafka.bootstrapServers(), t.updates(), false, checked, sentMs);
      committed.start();
      written.start();
      try {
        EventCodec codec = EventCodecs.forFormat(WireFormat.AVRO);
        Thread progress;
        try (KafkaProducer<byte[], byte[]> p = producer(kafka.bootstrapServers())) {
          for (int q = 0; q < nq; q++) {
            String id = "q" + q;
            p.send(
                new ProducerRecord<>(
                    t.queries(),
                    RecordKeys.queryKey(NAMESPACE, id),
                    codec.encodeQuery(
                        QueryEvent.register(
                            NAMESPACE, id, queries.row(q), s.k(), System.currentTimeMillis()))));
          }
          p.flush();
          // Encoded before the clock starts: the bench's own work shares the job's cores.
          byte[][] keys = new byte[n][];
          byte[][] values = new byte[n][];
          long encodedMs = System.currentTimeMillis();
          for (int i = 0; i < n; i++) {
            String id = Integer.toString(i);
            keys[i] = RecordKeys.itemKey(NAMESPACE, id);
            values[i] = codec.encodeItem(ItemEvent.upsert(NAMESPACE, id, items.row(i), encodedMs));
          }
          awaitCount(committed.registered, nq, job, "first answers of the standing queries");
          awaitCount(written.registered, nq, job, "first answers of the standing queries");
          say(err, "kafka e2e: %d standing queries answered; streaming the items", nq);
          committed.itemPhaseStartMs = written.itemPhaseStartMs = System.currentTimeMillis();
          progress = progress(err, written, committed);
          for (int i = 0; i < n; i++) {
            sentMs.set(i, System.currentTimeMillis());
            p.send(new ProducerRecord<>(t.items(), keys[i], values[i]));
          }
          p.flush();
        }
        long producedMs = System.currentTimeMillis();
        say(
            err,
            "kafka e2e: %d items sent in %.1f s",
            n,
            (producedMs - committed.itemPhaseStartMs) / 1e3);
        awaitGroupAtEnd(kafka.bootstrapServers(), conf.get(JobOptions.GROUP_ID), t.items(), job);
        // The offsets and the output are committed by the same completed checkpoint.
        committed.drain();
        written.drain();
        progress.interrupt();
        double itemS = Math.max(1, written.lastItemUpdateMs - written.itemPhaseStartMs) / 1e3;
        double committedS =
            Math.max(1, committed.lastItemUpdateMs - committed.itemPhaseStartMs) / 1e3;
        int[] lat = committed.latencies.toIntArray();
        Arrays.sort(lat);
        int wrong = wrongAnswers(committed.lastMatches, items, queries, nq, s.k());
        long unexpected = committed.unexpected.get() + written.unexpected.get();
        if (unexpected > 0) {
          throw new IllegalStateException(
              unexpected
                  + " updates of checked queries in the item phase were not caused by an item"
                  + " upsert: the item phase's update count would be wrong");
        }
        double rate = n / itemS;
        JsonLine json =
            new JsonLine()
                .put("items_per_s", rate)
                .put("updates_per_s", written.itemUpdates.get() / itemS)
                .put("latency_ms_p50", Percentiles.nearestRank(lat, 50))
                .put("latency_ms_p99", Percentiles.nearestRank(lat, 99))
                .put("items_per_s_committed", n / committedS)
                .put("produce_s", (producedMs - committed.itemPhaseStartMs) / 1e3)
                .put("n", n)
                .put("d", items.d())
                .put("standing", nq)
                .put("k", s.k())
                .put("shards", s.shards())
                .put("parallelism", s.parallelism())
                .put("checkpoint_interval", s.checkpointInterval())
                .put("coalesce_ms", s.coalesce().toMillis())
                .put("updates", committed.itemUpdates.get())
                .put("kind", s.items().kind())
                .put("store", "rocksdb")
                .put("transport", "kafka")
                .put("format", "avro")
                .put("delivery", "exactly-once")
                .put("checked_queries", Math.min(nq, CHECKED_QUERIES))
                .put("latency_samples", lat.length)
                .put("exact", wrong == 0);
        say(
            err,
            "kafka e2e: %.0f items/s (%.0f/s to the last commit), %.0f updates/s, latency to commit p50 %.0f ms p99 %.0f ms",
            rate,
            n / committedS,
            written.itemUpdates.get() / itemS,
            Percentiles.nearestRank(lat, 50),
            Percentiles.nearestRank(lat, 99));
        return new Result(json.toString(), rate, wrong == 0);
      } finally {
        committed.close();
        written.close();
        job.cancel().get(60, TimeUnit.SECONDS);
      }
    } finally {
      FileUtils.deleteDirectoryQuietly(tmp.toFile());
    }
  }

  private static Configuration jobConf(Settings s, String servers, Path tmp, int nq) {
    Configuration c = new Configuration();
    c.set(JobOptions.BOOTSTRAP_SERVERS, servers);
    c.set(JobOptions.FORMAT, WireFormat.AVRO);
    c.set(JobOptions.SHARDS, s.shards());
    c.set(JobOptions.MAX_K, Math.max(s.k(), 1000));
    c.set(JobOptions.COALESCE_UPDATES, s.coalesce());
    c.set(JobOptions.START, StartFrom.EARLIEST);
    c.set(JobOptions.GROUP_ID, "bench-" + UUID.randomUUID());
    c.setString("parallelism.default", Integer.toString(s.parallelism()));
    c.setString("taskmanager.numberOfTaskSlots", Integer.toString(s.parallelism()));
    c.setString("taskmanager.memory.managed.size", "512m");
    c.setString("execution.checkpointing.interval", s.checkpointInterval());
    c.setString("execution.checkpointing.dir", tmp.resolve("checkpoints").toUri().toString());
    c.setString("state.backend.rocksdb.localdir", tmp.resolve("rocksdb").toString());
    c.setString("restart-strategy.type", "none");
    return SimilarityJoinJob.withJobDefaults(c);
  }

  /** Every 2 s: how far the job is (for a person watching, and to see where time goes). */
  private static Thread progress(PrintWriter err, Watch written, Watch committed) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  Thread.sleep(2000);
                  say(
                      err,
                      "  item updates written %d (newest %d ms after its item), committed %d",
                      written.itemUpdates.get(),
                      written.lastLagMs,
                      committed.itemUpdates.get());
                }
              } catch (InterruptedException e) {
                // done
              }
            },
            "bench-kafka-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static KafkaProducer<byte[], byte[]> producer(String servers) {
    Properties p = new Properties();
    p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
    p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void awaitCount(AtomicLong count, long want, JobClient job, String what)
      throws Exception {
    long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
    while (count.get() < want) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for the " + what);
      }
      if (job.getJobStatus().get().isGloballyTerminalState()) {
        job.getJobExecutionResult().get();
        throw new IllegalStateException("the job ended while waiting for the " + what);
      }
      Thread.sleep(200);
    }
  }

  /** Waits until the job's group has committed offsets at the end of every items partition. */
  private static void awaitGroupAtEnd(String servers, String group, String topic, JobClient job)
      throws Exception {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", servers);
    try (Admin a = Admin.create(p)) {
      KafkaOffsets.awaitGroupAt(
          a, group, KafkaOffsets.endOffsets(a, List.of(topic)), job, PHASE_TIMEOUT);
    }
  }

  /** The standing query at position {@code c} of the {@link #CHECKED_QUERIES} checked ones. */
  private static int checkedQuery(int c, int nq) {
    return (int) ((long) c * nq / Math.min(nq, CHECKED_QUERIES));
  }

  private static Set<ByteBuffer> checkedKeys(int nq) {
    Set<ByteBuffer> keys = new HashSet<>();
    for (int c = 0; c < Math.min(nq, CHECKED_QUERIES); c++) {
      keys.add(ByteBuffer.wrap(RecordKeys.updateKey(NAMESPACE, "q" + checkedQuery(c, nq))));
    }
    return keys;
  }

  /** Checked standing queries whose last committed top-k differs from an exact scan's. */
  private static int wrongAnswers(
      Map<String, List<ScoredItem>> last, VectorSet items, VectorSet queries, int nq, int k) {
    ExactScan scan = new ExactScan(items);
    int checked = Math.min(nq, CHECKED_QUERIES);
    int wrong = 0;
    for (int c = 0; c < checked; c++) {
      int q = checkedQuery(c, nq);
      ExactScan.Result want = scan.topK(queries.row(q), k);
      List<ScoredItem> got = last.getOrDefault("q" + q, List.of());
      boolean same = got.size() == want.size();
      for (int i = 0; same && i < got.size(); i++) {
        same =
            got.get(i).itemId().equals(Integer.toString(want.ids()[i]))
                && Float.compare(got.get(i).score(), want.scores()[i]) == 0;
      }
      wrong += same ? 0 : 1;
    }
    return wrong;
  }

  private static void say(PrintWriter err, String format, Object... args) {
    synchronized (err) {
      err.println(String.format(Locale.ROOT, format, args));
      err.flush();
    }
  }

  /**
   * A consumer thread over the updates topic: counts, latencies, last top-k of the checked queries.
   *
   * <p>Until the item phase it decodes every update, to count the standing queries' first answers.
   * In the item phase, where every update is caused by an item upsert, it counts records and
   * decodes only those of the checked queries (their keys are known): decoding every update cost
   * the bench JVM, which also runs the job, about a quarter of its samples. The latencies are the
   * checked queries' (a uniform sample of the standing ones), measured from the send of the item
   * named in the update's cause.
   */
  private static final class Watch extends Thread {
    final AtomicLong registered = new AtomicLong();
    final AtomicLong itemUpdates = new AtomicLong();
    final AtomicLong unexpected = new AtomicLong();
    final IntArrayList latencies = new IntArrayList();
    final Map<String, List<ScoredItem>> lastMatches = new ConcurrentHashMap<>();
    volatile long itemPhaseStartMs;
    volatile long lastItemUpdateMs;

    /** How far behind the newest checked item-caused update is: its arrival minus its send. */
    volatile long lastLagMs;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Set<ByteBuffer> checkedKeys;
    private final AtomicLongArray sentMs;
    private final EventCodec codec = EventCodecs.forFormat(WireFormat.AVRO);
    private volatile boolean stop;
    private volatile boolean drainRequested;
    private volatile boolean drained;

    Watch(
        String servers,
        String topic,
        boolean committed,
        Set<ByteBuffer> checkedKeys,
        AtomicLongArray sentMs) {
      super("bench-kafka-" + (committed ? "committed" : "written"));
      setDaemon(true);
      this.topic = topic;
      this.checkedKeys = checkedKeys;
      this.sentMs = sentMs;
      Properties p = new Properties();
      p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "bench-watch-" + UUID.randomUUID());
      p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.setProperty(
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
      p.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
      consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void run() {
      consumer.subscribe(List.of(topic));
      try {
        while (!stop) {
          var records = consumer.poll(Duration.ofMillis(100));
          long now = System.currentTimeMillis();
          for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.value() != null) {
              take(r, now);
            }
          }
          if (records.isEmpty() && drainRequested && atEnd()) {
            drained = true;
          }
        }
      } catch (DecodeException e) {
        throw new IllegalStateException("an update the bench cannot read: " + e.getMessage(), e);
      } finally {
        consumer.close();
      }
    }

    private boolean atEnd() {
      var assigned = consumer.assignment();
      if (assigned.isEmpty()) {
        return false;
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
      for (TopicPartition tp : assigned) {
        if (consumer.position(tp) < end.get(tp)) {
          return false;
        }
      }
      return true;
    }

    private void take(ConsumerRecord<byte[], byte[]> r, long now) throws DecodeException {
      if (itemPhaseStartMs == 0) {
        TopKUpdate u = codec.decodeUpdate(r.value());
        lastMatches.put(u.queryId(), u.matches());
        if (u.cause().kind() == UpdateCause.Kind.REGISTERED) {
          registered.incrementAndGet();
        }
        return;
      }
      itemUpdates.incrementAndGet();
      lastItemUpdateMs = now;
      if (r.key() == null || !checkedKeys.contains(ByteBuffer.wrap(r.key()))) {
        return;
      }
      TopKUpdate u = codec.decodeUpdate(r.value());
      lastMatches.put(u.queryId(), u.matches());
      if (u.cause().kind() != UpdateCause.Kind.ITEM_UPSERTED) {
        unexpected.incrementAndGet();
        return;
      }
      long lag = now - sentMs.get(Integer.parseInt(u.cause().itemId()));
      lastLagMs = lag;
      synchronized (latencies) {
        latencies.add((int) Math.min(Integer.MAX_VALUE, Math.max(0, lag)));
      }
    }

    /** Reads on until the end of the topic as it is now (for read_committed, its stable end). */
    void drain() throws InterruptedException {
      drainRequested = true;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!drained && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    }

    void close() throws InterruptedException {
      stop = true;
      join(10_000);
    }
  }
}
