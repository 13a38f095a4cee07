package io.simjoin.jobs.demo;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code simjoin demo} as a child JVM, the way a user runs it: this JVM's classpath, its own {@code
 * java.io.tmpdir} (so a test can see that it leaves the directory empty), the launcher's logging
 * configuration, stdout and stderr captured to files. While it runs, the descendants it starts (the
 * broker's JVM) are recorded, so a test can check that none outlives it. Every wait is bounded;
 * {@link #close()} kills whatever is left.
 *
 * <pre>{@code
 * try (DemoChild demo = DemoChild.start(tmp, "--duration", "30s", "--kafka-port", "0")) {
 *   assertThat(demo.waitFor(Duration.ofMinutes(4))).isEqualTo(0);
 *   assertThat(demo.stdout()).contains("verified:");
 * }
 * }</pre>
 */
final class DemoChild implements AutoCloseable {
  final Path javaTmp;
  private final Path out;
  private final Path err;
  private final Process process;
  private final Set<ProcessHandle> descendants = ConcurrentHashMap.newKeySet();
  private final Thread watch;

  private DemoChild(Path javaTmp, Path out, Path err, Process process) {
    this.javaTmp = javaTmp;
    this.out = out;
    this.err = err;
    this.process = process;
    this.watch =
        new Thread(
            () -> {
              while (process.isAlive()) {
                process.descendants().forEach(descendants::add);
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "demo-child-descendants");
    watch.setDaemon(true);
    watch.start();
  }

  /** Starts {@code simjoin demo ARGS} with its temporary directory and logs under {@code dir}. */
  static DemoChild start(Path dir, String... args) throws IOException {
    Path javaTmp = Files.createDirectories(dir.resolve("java-tmp"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-modules=jdk.incubator.vector");
    cmd.add("-Xmx1g");
    cmd.add("-XX:+UseParallelGC");
    cmd.add("-Djava.io.tmpdir=" + javaTmp);
    // The launcher's logging (warnings to stderr), not the tests' (which writes target/*.log).
    cmd.add("-Dlog4j2.configurationFile=" + mainLogConfig());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.simjoin.jobs.SimjoinCli");
    cmd.add("demo");
    cmd.addAll(List.of(args));
    Path out = dir.resolve("demo.out");
    Path err = dir.resolve("demo.err");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    return new DemoChild(javaTmp, out, err, p);
  }

  private static String mainLogConfig() {
    try {
      Path classes =
          Paths.get(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return classes.resolve("log4j2.xml").toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** The exit code, or -1 if it still runs after {@code timeout}. */
  int waitFor(java.time.Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /**
   * Waits until stdout has a line matching {@code line}; false if the child ended or time ran out.
   */
  boolean awaitLine(Predicate<String> line, java.time.Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (stdout().lines().anyMatch(line)) {
        return true;
      }
      if (!process.isAlive()) {
        return false;
      }
      Thread.sleep(200);
    }
    return false;
  }

  /** Sends SIGINT, as Ctrl-C in a terminal does. */
  void interrupt() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -INT " + process.pid() + " failed");
    }
  }

  String stdout() throws IOException {
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** stderr without the JVM's note that the Vector API is an incubator module. */
  String stderr() throws IOException {
    return Files.readString(err, StandardCharsets.UTF_8)
        .lines()
        .filter(l -> !l.contains("Using incubator modules"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  /** Every process the child started while this watched it. */
  Set<ProcessHandle> descendants() {
    return Set.copyOf(descendants);
  }

  /** Waits (bounded) until none of the recorded descendants is alive; returns those still alive. */
  List<ProcessHandle> survivors(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ProcessHandle> alive = new ArrayList<>();
    do {
      alive.clear();
      descendants.stream().filter(ProcessHandle::isAlive).forEach(alive::add);
      if (alive.isEmpty()) {
        return alive;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return alive;
  }

  @Override
  public void close() throws InterruptedException {
    watch.interrupt();
    if (process.isAlive()) {
      process.descendants().forEach(descendants::add);
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }
}
