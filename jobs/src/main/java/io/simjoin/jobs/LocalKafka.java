package io.simjoin.jobs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker in a child JVM on 127.0.0.1, for {@code ./simjoin demo} and
 * {@code bench --kafka}: formatted and started from this JVM's own classpath, its data and log in a
 * temporary directory removed by {@link #close()} (and by a shutdown hook, so Ctrl-C leaves nothing
 * behind).
 *
 * <pre>{@code
 * try (LocalKafka kafka = LocalKafka.start(9092)) {      // 0: any free port
 *   kafka.createTopics(4, "items", "queries", "updates", "alerts", "dead-letters");
 *   String servers = kafka.bootstrapServers();          // 127.0.0.1:9092
 * }
 * }</pre>
 */
public final class LocalKafka implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final int port;
  private final Process process;
  private final Thread hook;

  private LocalKafka(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
    this.hook = new Thread(this::stop, "simjoin-local-kafka-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Formats and starts a broker on {@code port} (0: a free one) and waits until it answers.
   *
   * @throws IllegalStateException if the port is taken (saying so), or the broker does not come up
   *     (with the end of its log)
   */
  public static LocalKafka start(int port) throws IOException, InterruptedException {
    int brokerPort = port == 0 ? freePort() : requireFree(port);
    int controllerPort = freePort();
    Path dir = Files.createTempDirectory("simjoin-kafka-");
    Path props = dir.resolve("server.properties");
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", dir.resolve("data").toString());
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "4");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("num.partitions", "4");
    try (OutputStream out = Files.newOutputStream(props)) {
      p.store(out, "simjoin local broker");
    }
    format(props);
    Path log = dir.resolve("kafka.log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-XX:+UseParallelGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("kafka.Kafka");
    cmd.add(props.toString());
    Process process =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LocalKafka kafka = new LocalKafka(dir, brokerPort, process);
    try {
      kafka.awaitReady(log);
    } catch (RuntimeException | InterruptedException e) {
      kafka.close();
      throw e;
    }
    return kafka;
  }

  /** Formats the log directory in this JVM (StorageTool, as kafka-storage.sh does). */
  private static void format(Path props) {
    ByteArrayOutputStream msg = new ByteArrayOutputStream();
    int rc;
    try (PrintStream ps = new PrintStream(msg, true, StandardCharsets.UTF_8)) {
      rc =
          kafka.tools.StorageTool.execute(
              new String[] {
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                props.toString(),
                "--ignore-formatted"
              },
              ps);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "could not format the local Kafka storage: "
              + msg.toString(StandardCharsets.UTF_8).strip());
    }
  }

  private void awaitReady(Path log) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the local Kafka broker exited with " + process.exitValue() + ": " + tail(log));
      }
      if (answers()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "the local Kafka broker did not answer within "
            + READY_TIMEOUT.toSeconds()
            + " s: "
            + tail(log));
  }

  private boolean answers() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
    } catch (IOException e) {
      return false;
    }
    try (Admin a = Admin.create(adminProperties())) {
      a.describeCluster().nodes().get(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private Properties adminProperties() {
    Properties p = new Properties();
    p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return p;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Whether a TCP port on 127.0.0.1 is free to listen on. */
  public static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int requireFree(int port) {
    if (!isFree(port)) {
      throw new IllegalStateException(
          "port "
              + port
              + " on 127.0.0.1 is in use (another Kafka?): stop it, or pass"
              + " --bootstrap-servers to use that Kafka instead");
    }
    return port;
  }

  /** {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Creates topics (replication 1), waiting until they exist. */
  public void createTopics(int partitions, String... topics) throws Exception {
    io.simjoin.connectors.KafkaTopics.create(adminProperties(), partitions, topics);
  }

  /** The broker's process, for tests that check it is gone. */
  public ProcessHandle process() {
    return process.toHandle();
  }

  /** The broker's temporary directory (data and log), removed on close. */
  public Path directory() {
    return dir;
  }

  private synchronized void stop() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      FileUtils.deleteDirectory(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs (and finds nothing left to do)
    }
  }
}
