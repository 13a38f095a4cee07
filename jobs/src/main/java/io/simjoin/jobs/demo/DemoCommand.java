package io.simjoin.jobs.demo;

import io.simjoin.connectors.KafkaTopics;
import io.simjoin.connectors.StartFrom;
import io.simjoin.connectors.Topics;
import io.simjoin.connectors.WireFormat;
import io.simjoin.connectors.codec.EventCodec;
import io.simjoin.connectors.codec.EventCodecs;
import io.simjoin.jobs.JobFlags;
import io.simjoin.jobs.JobOptions;
import io.simjoin.jobs.KafkaOffsets;
import io.simjoin.jobs.LocalKafka;
import io.simjoin.jobs.SimilarityJoinJob;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./simjoin demo}: the whole system on one machine, proving itself exact. A real Kafka
 * broker (KRaft, a child JVM on 127.0.0.1:9092), the real {@link SimilarityJoinJob} in a Flink
 * MiniCluster with RocksDB, incremental checkpoints and the web UI, and a generated {@link
 * DemoScenario} streamed through Kafka at a steady rate, with live progress ({@link DemoProgress})
 * read back from the output topics. On Ctrl-C or after {@code --duration} it stops producing, waits
 * until the job has committed everything it read, prints a summary and checks every standing
 * query's final top-k against a brute-force scan ({@link DemoVerifier}).
 *
 * <pre>{@code
 * ./simjoin demo                                   # until Ctrl-C; web UI on http://127.0.0.1:8081
 * ./simjoin demo --duration 60s --rate 500         # 500 item events/s for a minute
 * ./simjoin demo --bootstrap-servers kafka:9092    # a Kafka of your own instead of a local one
 * ./simjoin tail --topic updates                   # in another terminal: the committed updates
 * }</pre>
 *
 * <p>Exit codes: 0 when every standing query was exact; 1 when one was not, or the job or the demo
 * failed; 2 for a bad flag or a port in use (one line saying what to fix); 130 when Ctrl-C came
 * before the stream started. Everything it started (the broker, the MiniCluster, its temporary
 * directory) is gone when it exits, also on failure and on SIGTERM.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "A local Kafka broker, the simjoin job (Flink MiniCluster, RocksDB, web UI) and a generated"
            + " stream through them, live; then a check of every standing query against a"
            + " brute-force scan.")
public final class DemoCommand implements Callable<Integer> {
  static final int DEFAULT_KAFKA_PORT = 9092;
  static final int DEFAULT_WEB_UI_PORT = 8081;
  private static final Duration COMMIT_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "How long to stream: 30s, 2m, or plain seconds. Default: until Ctrl-C.")
  String duration;

  @Option(names = "--rate", description = "Item events per second. Default: ${DEFAULT-VALUE}.")
  int rate = 200;

  @Option(names = "--items", description = "Catalogue size. Default: ${DEFAULT-VALUE}.")
  int items = 10_000;

  @Option(
      names = "--users",
      description = "Users, each a standing top-10 query. Default: ${DEFAULT-VALUE}.")
  int users = 2_000;

  @Option(names = "--dim", description = "Vector dimension. Default: ${DEFAULT-VALUE}.")
  int dim = 64;

  @Option(
      names = "--format",
      paramLabel = "avro|json",
      description = "Wire format of all topics. Default: ${DEFAULT-VALUE}.")
  String format = "avro";

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "Use this Kafka instead of starting one (topics are created if missing).")
  String bootstrapServers;

  @Option(
      names = "--kafka-port",
      description =
          "Port of the local broker; 0: any free one. Default: 9092 (where ./simjoin tail looks),"
              + " or a free port if 9092 is taken.")
  Integer kafkaPort;

  @Option(
      names = "--web-ui-port",
      description = "Port of the Flink web UI; 0: any free one. Default: 8081, or a free port.")
  Integer webUiPort;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      description = "Checkpoint (and commit) interval. Default: ${DEFAULT-VALUE}.")
  String checkpointInterval = "2s";

  @Option(names = "--parallelism", description = "Parallelism of the job. Default: 2.")
  int parallelism = 2;

  @Option(names = "--seed", description = "Seed of the scenario. Default: ${DEFAULT-VALUE}.")
  long seed = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** A problem the user can fix: one line, exit 2. */
  static final class UsageProblem extends RuntimeException {
    UsageProblem(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration runFor;
    WireFormat wire;
    EventCodec codec;
    DemoScenario.Settings settings;
    Duration interval;
    try {
      runFor =
          duration == null
              ? null
              : positive("--duration", JobFlags.duration("--duration", duration));
      interval =
          positive(
              "--checkpoint-interval",
              JobFlags.duration("--checkpoint-interval", checkpointInterval));
      atLeast("--rate", rate, 1);
      atLeast("--parallelism", parallelism, 1);
      settings =
          new DemoScenario.Settings(
              items,
              users,
              dim,
              seed,
              bootstrapServers == null
                  ? DemoScenario.NAMESPACE
                  : DemoScenario.NAMESPACE + "-" + UUID.randomUUID().toString().substring(0, 8));
      wire = WireFormat.parse(format);
      codec = EventCodecs.forFormat(wire);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      err.println("simjoin demo: " + e.getMessage());
      return 2;
    }
    DemoStop stop = DemoStop.onSigint();
    Path tmp = Files.createTempDirectory("simjoin-demo-");
    try (DemoCleanup cleanup = new DemoCleanup(tmp)) {
      cleanup.redirectStderr();
      try {
        return new Run(out, err, stop, cleanup, settings, wire, codec, runFor, interval).call();
      } catch (UsageProblem e) {
        err.println("simjoin demo: " + e.getMessage());
        return 2;
      } catch (Exception e) {
        Throwable root = ExceptionUtils.stripExecutionException(e);
        err.println("simjoin demo failed: " + root);
        List<String> tail = cleanup.logTail(15);
        if (!tail.isEmpty()) {
          err.println("the end of its log:");
          tail.forEach(l -> err.println("  " + l));
        }
        err.flush();
        return 1;
      }
    }
  }

  private static Duration positive(String flag, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(flag + " must be positive");
    }
    return d;
  }

  private static void atLeast(String flag, int v, int min) {
    if (v < min) {
      throw new IllegalArgumentException(flag + " must be at least " + min + ", got " + v);
    }
  }

  /**
   * The port to listen on: the one asked for if free; a free one for 0 or when the default is taken
   * (said so); a clear refusal when a port the user named is taken.
   */
  static int port(Integer asked, int dflt, String flag, String what, PrintWriter err)
      throws IOException {
    int p = asked == null ? dflt : asked;
    if (p == 0) {
      return LocalKafka.freePort();
    }
    if (LocalKafka.isFree(p)) {
      return p;
    }
    if (asked != null) {
      throw new UsageProblem(
          "port "
              + p
              + " on 127.0.0.1 is in use: stop what listens there, or pass "
              + flag
              + " 0 for a free port");
    }
    int free = LocalKafka.freePort();
    err.printf(
        Locale.ROOT, "simjoin demo: port %d is in use, so the %s takes port %d%n", p, what, free);
    err.flush();
    return free;
  }

  /** One run of the demo, from the broker to the verdict; {@link DemoCleanup} undoes it. */
  private final class Run implements Callable<Integer> {
    private final PrintWriter out;
    private final PrintWriter err;
    private final DemoStop stop;
    private final DemoCleanup cleanup;
    private final DemoScenario.Settings settings;
    private final WireFormat wire;
    private final EventCodec codec;
    private final Duration runFor;
    private final Duration interval;
    private final Topics topics = Topics.DEFAULT;
    private final String group = "simjoin-demo-" + UUID.randomUUID().toString().substring(0, 8);

    Run(
        PrintWriter out,
        PrintWriter err,
        DemoStop stop,
        DemoCleanup cleanup,
        DemoScenario.Settings settings,
        WireFormat wire,
        EventCodec codec,
        Duration runFor,
        Duration interval) {
      this.out = out;
      this.err = err;
      this.stop = stop;
      this.cleanup = cleanup;
      this.settings = settings;
      this.wire = wire;
      this.codec = codec;
      this.runFor = runFor;
      this.interval = interval;
    }

    @Override
    public Integer call() throws Exception {
      long t0 = System.currentTimeMillis();
      // Both ports are settled before anything starts, so a taken one fails fast and clean.
      int web = port(webUiPort, DEFAULT_WEB_UI_PORT, "--web-ui-port", "Flink web UI", err);
      String servers = kafka();
      Properties props = new Properties();
      props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
      Admin admin = Admin.create(props);
      cleanup.add(() -> admin.close(Duration.ofSeconds(5)));
      if (bootstrapServers != null) {
        createMissingTopics(admin);
        // The group exists only for this run: leave no trace on a user's Kafka.
        cleanup.add(
            () -> admin.deleteConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS));
      }
      List<String> inputs = Arrays.asList(topics.inputs());
      List<String> outputs = List.of(topics.updates(), topics.alerts());
      // Start the job at the inputs' current ends (a Kafka of the user's may hold old events) and
      // read the outputs from theirs: only this run counts.
      Map<TopicPartition, Long> inputStart = KafkaOffsets.endOffsets(admin, inputs);
      Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
      inputStart.forEach((tp, o) -> committed.put(tp, new OffsetAndMetadata(o)));
      admin.alterConsumerGroupOffsets(group, committed).all().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, Long> outputStart =
          KafkaOffsets.endOffsets(admin, outputs, IsolationLevel.READ_COMMITTED);
      if (stop.requested()) {
        return 130;
      }

      if (!LocalKafka.isFree(web)) {
        throw new UsageProblem("port " + web + " on 127.0.0.1 was taken meanwhile: run again");
      }
      Configuration conf = flinkConf(servers, web);
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
      new SimilarityJoinJob(conf).attachToKafka(env);
      JobClient job = env.executeAsync("simjoin demo");
      cleanup.job(job, web);
      String ui = "http://127.0.0.1:" + web;
      say("Flink web UI: %s/#/job/running/%s", ui, job.getJobID());
      say(
          "job: SimilarityJoinJob, %s on Kafka, exactly-once, RocksDB, incremental checkpoints every %s,"
              + " parallelism %d",
          wire.flagValue(), interval.toMillis() + " ms", parallelism);

      DemoRest rest = new DemoRest(ui, job.getJobID().toHexString());
      awaitRunning(rest, job);
      DemoWatcher watcher =
          new DemoWatcher(props, topics.updates(), outputStart, codec, settings.namespace());
      watcher.start();
      cleanup.add(watcher::close);
      DemoScenario scenario = new DemoScenario(settings);
      DemoProducer producer = new DemoProducer(props, topics, codec, scenario, rate);
      cleanup.add(producer);
      DemoProgress progress =
          new DemoProgress(
              out,
              System.console() != null,
              producer,
              watcher,
              rest,
              () -> backlog(admin, inputs),
              conf.get(JobOptions.SHARDS),
              "every " + interval.toMillis() + " ms, RocksDB incremental");
      say(
          "job running after %.1f s; loading the catalogue (%,d items, d=%d), %,d users' standing"
              + " top-%d queries and %d alert profiles",
          (System.currentTimeMillis() - t0) / 1e3,
          settings.items(),
          settings.dim(),
          settings.users(),
          DemoScenario.K,
          DemoScenario.ALERT_PROFILES);
      progress.start();
      cleanup.add(progress::close);
      producer.seed();
      // The steady stream starts once every standing query has its first committed answer, so
      // that its latencies measure the stream, not the first catalogue's backlog.
      awaitFirstAnswers(watcher, job, settings.users() + DemoScenario.ALERT_PROFILES);
      long steadyMs = producer.start();
      watcher.steadyFrom(steadyMs);
      progress.phase("streaming");
      progress.say(
          String.format(
              Locale.ROOT,
              "loaded and answered; streaming %,d item events/s %s (%.1f s after start)",
              rate,
              runFor == null
                  ? "until Ctrl-C"
                  : "for " + runFor.toSeconds() + " s (or until Ctrl-C)",
              (steadyMs - t0) / 1e3));

      String why = waitForEnd(job, producer, watcher, steadyMs);
      progress.close();
      producer.stopAndFlush();
      long stoppedMs = System.currentTimeMillis();
      say("%s: stopped producing; waiting until the job has committed everything it read", why);
      KafkaOffsets.awaitGroupAt(
          admin, group, KafkaOffsets.endOffsets(admin, inputs), job, COMMIT_TIMEOUT);
      // The offsets and the output are committed with the same checkpoint, not in a fixed order:
      // one more completed checkpoint makes sure the output's transactions are committed too.
      awaitNextCheckpoint(rest, job);
      watcher.awaitPositions(
          KafkaOffsets.endOffsets(admin, outputs, IsolationLevel.READ_COMMITTED), READ_TIMEOUT);
      summary(producer, watcher, rest.checkpoints(), steadyMs, stoppedMs);
      DemoVerifier.Result r = DemoVerifier.verify(scenario, watcher::last);
      out.printf(
          Locale.ROOT,
          "verified: %d/%d standing queries exact (brute-force scan over the %,d items of the final"
              + " catalogue); %d/%d cancelled queries ended%n",
          r.exact(),
          r.checked(),
          scenario.catalogue().size(),
          r.ended(),
          r.cancelled());
      if (!r.wrong().isEmpty()) {
        out.println("not exact: " + String.join(", ", r.wrong()));
      }
      out.flush();
      return r.allExact() ? 0 : 1;
    }

    /** The broker: the user's, or a local one started here. */
    private String kafka() throws Exception {
      if (bootstrapServers != null) {
        say("Kafka: %s (yours); this run's namespace: %s", bootstrapServers, settings.namespace());
        return bootstrapServers;
      }
      int p = port(kafkaPort, DEFAULT_KAFKA_PORT, "--kafka-port", "Kafka broker", err);
      long t = System.nanoTime();
      LocalKafka kafka;
      try {
        kafka = LocalKafka.start(p);
      } catch (IllegalStateException e) {
        throw new UsageProblem(e.getMessage());
      }
      cleanup.kafka(kafka);
      kafka.createTopics(parallelism, topics.inputs());
      kafka.createTopics(parallelism, topics.outputs());
      say(
          "Kafka: a KRaft broker at %s (child JVM, pid %d, up in %.1f s); look inside with:"
              + " ./simjoin tail --topic updates%s",
          kafka.bootstrapServers(),
          kafka.process().pid(),
          (System.nanoTime() - t) / 1e9,
          p == DEFAULT_KAFKA_PORT ? "" : " --bootstrap-servers " + kafka.bootstrapServers());
      return kafka.bootstrapServers();
    }

    private void createMissingTopics(Admin admin) throws Exception {
      String[] all =
          Stream.concat(Arrays.stream(topics.inputs()), Arrays.stream(topics.outputs()))
              .toArray(String[]::new);
      var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing =
          Arrays.stream(all)
              .filter(t -> !existing.contains(t))
              .map(t -> new NewTopic(t, Optional.of(parallelism), Optional.empty()))
              .toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
      }
      // Offsets are listed right after, and a partition without a leader yet cannot answer.
      KafkaTopics.awaitLeaders(admin, all);
    }

    private Configuration flinkConf(String servers, int web) {
      Path dir = cleanup.dir();
      Configuration c = new Configuration();
      c.set(JobOptions.BOOTSTRAP_SERVERS, servers);
      c.set(JobOptions.FORMAT, wire);
      c.set(JobOptions.GROUP_ID, group);
      c.set(JobOptions.START, StartFrom.COMMITTED);
      c.setString("parallelism.default", Integer.toString(parallelism));
      c.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
      // Modest: the machine is shared, and RocksDB keeps the state off the heap anyway.
      c.setString("taskmanager.memory.managed.size", "256m");
      c.setString("execution.checkpointing.interval", interval.toMillis() + " ms");
      c.setString("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
      // Every scratch directory of the MiniCluster inside the demo's own, removed at the end.
      c.setString("state.backend.rocksdb.localdir", dir.resolve("rocksdb").toString());
      c.setString("io.tmp.dirs", dir.resolve("flink-tmp").toString());
      c.setString("web.tmpdir", dir.resolve("flink-web").toString());
      c.setString("rest.port", Integer.toString(web));
      // The web UI and the live view read metrics through REST: fresh every second, not every 10.
      c.setString("metrics.fetcher.update-interval", "1000 ms");
      c.setString("rest.address", "127.0.0.1");
      c.setString("rest.bind-address", "127.0.0.1");
      c.setString("restart-strategy.type", "fixed-delay");
      c.setString("restart-strategy.fixed-delay.attempts", "3");
      c.setString("restart-strategy.fixed-delay.delay", "2 s");
      return SimilarityJoinJob.withJobDefaults(c);
    }

    /** Waits for the duration, Ctrl-C, or a failure; says which. */
    private String waitForEnd(
        JobClient job, DemoProducer producer, DemoWatcher watcher, long steadyMs) throws Exception {
      long end = runFor == null ? Long.MAX_VALUE : steadyMs + runFor.toMillis();
      while (true) {
        if (stop.await(200)) {
          out.println();
          return "Ctrl-C";
        }
        if (System.currentTimeMillis() >= end) {
          return "after " + runFor.toSeconds() + " s";
        }
        failIfEnded(job);
        if (producer.failure() != null) {
          throw new IllegalStateException(
              "producing failed: " + producer.failure().getMessage(), producer.failure());
        }
        if (watcher.failure() != null) {
          throw new IllegalStateException(
              "reading the output failed: " + watcher.failure().getMessage(), watcher.failure());
        }
      }
    }

    private void awaitRunning(DemoRest rest, JobClient job) throws Exception {
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos() * 2;
      while (!rest.allRunning()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the job's tasks did not all start within 2 min");
        }
        failIfEnded(job);
        if (stop.await(200)) {
          return;
        }
      }
    }

    private void awaitFirstAnswers(DemoWatcher watcher, JobClient job, long want) throws Exception {
      long deadline = System.nanoTime() + COMMIT_TIMEOUT.toNanos();
      while (watcher.registered.get() < want) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the standing queries were not all answered within "
                  + COMMIT_TIMEOUT.toMinutes()
                  + " min");
        }
        failIfEnded(job);
        if (stop.await(200)) {
          return;
        }
      }
    }

    private void failIfEnded(JobClient job) throws Exception {
      if (job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
        job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        throw new IllegalStateException("the job ended on its own");
      }
    }

    private long backlog(Admin admin, List<String> inputs) {
      try {
        return KafkaOffsets.lag(admin, group, KafkaOffsets.endOffsets(admin, inputs));
      } catch (Exception e) {
        return -1;
      }
    }

    private void awaitNextCheckpoint(DemoRest rest, JobClient job) throws Exception {
      long before = rest.checkpoints().completed();
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (rest.checkpoints().completed() <= before) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "no checkpoint completed within " + READ_TIMEOUT.toSeconds() + " s");
        }
        if (job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
          throw new IllegalStateException("the job ended before its last commit");
        }
        Thread.sleep(100);
      }
    }

    private void summary(
        DemoProducer p, DemoWatcher w, DemoRest.Checkpoints cp, long steadyMs, long stoppedMs) {
      double s = Math.max(1e-3, (stoppedMs - steadyMs) / 1e3);
      long steadyItems = p.itemEvents.get() - settings.items();
      out.println("summary:");
      out.printf(
          Locale.ROOT,
          "  produced    %,d item events (%,d upserts, %,d deletes; %,d of them the first catalogue),"
              + " %,d query events (%,d registrations, %,d cancellations, %,d ONCE lookups)%n",
          p.itemEvents.get(),
          p.itemOps(ItemEvent.Op.UPSERT),
          p.itemOps(ItemEvent.Op.DELETE),
          settings.items(),
          p.queryEvents.get(),
          p.queryOps(QueryEvent.Op.REGISTER),
          p.queryOps(QueryEvent.Op.CANCEL),
          p.queryOps(QueryEvent.Op.ONCE));
      out.printf(
          Locale.ROOT,
          "  committed   %,d updates (%,d of them ONCE answers), %,d alerts, %,d retractions%n",
          w.updates.get(),
          w.lookupAnswers.get(),
          w.alerts.get(),
          w.retractions.get());
      out.printf(
          Locale.ROOT,
          "  rates       %,.0f item events/s for %.0f s; what they caused: %,.0f updates/s, %,.1f"
              + " alerts/s%n",
          steadyItems / s,
          s,
          w.steadyUpdates.get() / s,
          w.steadyAlerts.get() / s);
      out.printf(
          Locale.ROOT,
          "  latency     %s, max %,d ms (item event produced -> update committed, %,d updates)%n",
          DemoProgress.latencyText(w.latency).replaceAll(" +", " ").trim(),
          w.latency.percentile(100),
          w.latency.count());
      out.printf(
          Locale.ROOT,
          "  checkpoints %d completed, %d failed, the last took %,d ms%s%n",
          cp.completed(),
          cp.failed(),
          cp.lastDurationMs(),
          cp.lastFailure() == null ? "" : "; the last failure: " + cp.lastFailure());
      out.flush();
    }

    private void say(String format, Object... args) {
      out.println(String.format(Locale.ROOT, format, args));
      out.flush();
    }
  }
}
