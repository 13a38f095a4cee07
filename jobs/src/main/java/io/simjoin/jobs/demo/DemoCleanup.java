package io.simjoin.jobs.demo;

import io.simjoin.jobs.LocalKafka;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.FileUtils;

/**
 * Everything the demo started, undone in reverse order exactly once: on the normal way out, on a
 * failure, and from a shutdown hook when the JVM is stopped (SIGTERM, a second Ctrl-C). The job is
 * cancelled (which shuts its MiniCluster down) and the web UI's port waited for, the broker's child
 * JVM is stopped, and the demo's temporary directory (checkpoints, RocksDB, Flink's scratch space)
 * is deleted.
 *
 * <pre>{@code
 * try (DemoCleanup cleanup = new DemoCleanup(tmp)) {
 *   cleanup.kafka(LocalKafka.start(9092));
 *   cleanup.job(env.executeAsync("simjoin demo"), webUiPort);
 * }
 * }</pre>
 */
final class DemoCleanup implements AutoCloseable {
  private static final long JOB_STOP_S = 30;

  private final Path dir;
  private final Deque<AutoCloseable> steps = new ArrayDeque<>();
  private final Thread hook = new Thread(this::closeQuietly, "simjoin-demo-cleanup");
  private boolean closed;
  private PrintStream realErr;
  private PrintStream log;

  /** Owns {@code dir} (deleted last) and registers the shutdown hook. */
  DemoCleanup(Path dir) {
    this.dir = dir;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  Path dir() {
    return dir;
  }

  /**
   * Sends {@code System.err}, and with it the log (its console appender follows System.err), to
   * {@code demo.log} in the demo's directory until close: Flink's and Kafka's warnings would tear
   * the live view apart. {@link #logTail} shows the end of it when the demo fails.
   */
  synchronized void redirectStderr() throws IOException {
    realErr = System.err;
    log =
        new PrintStream(
            Files.newOutputStream(dir.resolve("demo.log")), true, StandardCharsets.UTF_8);
    System.setErr(log);
  }

  /** The last {@code n} lines of the log that are not stack frames, or none. */
  synchronized List<String> logTail(int n) {
    Path f = dir.resolve("demo.log");
    try {
      if (log != null) {
        log.flush();
      }
      List<String> lines =
          Files.readAllLines(f, StandardCharsets.UTF_8).stream()
              .filter(l -> !l.startsWith("\t") && !l.startsWith("Caused by") && !l.isBlank())
              .toList();
      return lines.subList(Math.max(0, lines.size() - n), lines.size());
    } catch (IOException e) {
      return List.of();
    }
  }

  synchronized void kafka(LocalKafka kafka) {
    steps.push(kafka);
  }

  /** Anything else to close before the job and the broker (clients, threads). */
  synchronized void add(AutoCloseable c) {
    steps.push(c);
  }

  /** The running job: cancelled on close, then its MiniCluster's REST port waited for. */
  synchronized void job(JobClient job, int webUiPort) {
    steps.push(
        () -> {
          try {
            if (!job.getJobStatus().get(JOB_STOP_S, TimeUnit.SECONDS).isGloballyTerminalState()) {
              job.cancel().get(JOB_STOP_S, TimeUnit.SECONDS);
            }
            job.getJobExecutionResult().handle((r, e) -> null).get(JOB_STOP_S, TimeUnit.SECONDS);
          } catch (Exception e) {
            // Already gone or going: the port wait below still bounds the MiniCluster's shutdown.
          }
          // The MiniCluster of executeAsync shuts down after the job ends, asynchronously.
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(JOB_STOP_S);
          while (!LocalKafka.isFree(webUiPort) && System.nanoTime() < deadline) {
            Thread.sleep(100);
          }
        });
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    Exception first = null;
    while (!steps.isEmpty()) {
      try {
        steps.pop().close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (realErr != null) {
      System.setErr(realErr);
      log.close();
    }
    try {
      if (Files.exists(dir)) {
        FileUtils.deleteDirectory(dir.toFile());
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down: this is the hook.
      }
    }
    if (first != null) {
      throw new IOException("cleaning up: " + first.getMessage(), first);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      System.err.println("simjoin demo: " + e.getMessage());
    }
  }
}
