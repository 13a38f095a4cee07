package io.simjoin.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.jobs.LocalKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code simjoin demo} end to end, as a child JVM with a real broker, the real job and a small
 * scenario: it streams, prints updates and alerts, verifies itself, and leaves no process, port or
 * temporary file behind, whether it stops after {@code --duration} or on Ctrl-C (SIGINT).
 */
class DemoCommandIT {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
  private static final Pattern VERIFIED =
      Pattern.compile("verified: (\\d+)/(\\d+) standing queries exact");
  private static final Pattern COMMITTED =
      Pattern.compile("committed +([\\d,]+) updates .*?, ([\\d,]+) alerts");

  @TempDir Path tmp;

  /** Small sizes: the test machine is shared, and the point is the wiring, not the speed. */
  private static String[] args(int kafkaPort, int webPort, String... more) {
    return Stream.concat(
            Stream.of(
                "--items", "1000",
                "--users", "100",
                "--rate", "50",
                "--kafka-port", Integer.toString(kafkaPort),
                "--web-ui-port", Integer.toString(webPort)),
            Stream.of(more))
        .toArray(String[]::new);
  }

  @Test
  void runsForItsDurationVerifiesItselfAndLeavesNothingBehind() throws Exception {
    int kafkaPort = LocalKafka.freePort();
    int webPort = LocalKafka.freePort();
    try (DemoChild demo = DemoChild.start(tmp, args(kafkaPort, webPort, "--duration", "30s"))) {
      int exit = demo.waitFor(RUN_TIMEOUT);
      String out = demo.stdout();
      assertThat(exit).as("exit code; stdout:\n%s\nstderr:\n%s", out, demo.stderr()).isZero();
      assertThat(out)
          .contains("Flink web UI: http://127.0.0.1:" + webPort)
          .contains("127.0.0.1:" + kafkaPort)
          .contains("updates/s")
          .contains("alerts/s");
      assertPrintedUpdatesAndAlerts(out);
      assertVerified(out);
      assertLeftNothing(demo, kafkaPort, webPort);
    }
  }

  @Test
  void ctrlCStopsItCleanlyAndItStillVerifies() throws Exception {
    int kafkaPort = LocalKafka.freePort();
    int webPort = LocalKafka.freePort();
    try (DemoChild demo = DemoChild.start(tmp, args(kafkaPort, webPort))) {
      assertThat(demo.awaitLine(l -> l.startsWith("loaded and answered; streaming"), RUN_TIMEOUT))
          .as("the stream went live; stdout:\n%s\nstderr:\n%s", demo.stdout(), demo.stderr())
          .isTrue();
      // Until the view has shown a user's top-k read back from the updates topic, and the stream
      // has run a few seconds more.
      assertThat(demo.awaitLine(l -> l.matches(" +user-0 +sku-.*"), RUN_TIMEOUT)).isTrue();
      Thread.sleep(5_000);
      assertThat(demo.descendants()).as("the broker's JVM, seen while running").isNotEmpty();
      demo.interrupt();
      int exit = demo.waitFor(RUN_TIMEOUT);
      String out = demo.stdout();
      assertThat(exit).as("exit code; stdout:\n%s\nstderr:\n%s", out, demo.stderr()).isZero();
      assertThat(out).contains("Ctrl-C: stopped producing");
      assertPrintedUpdatesAndAlerts(out);
      assertVerified(out);
      assertLeftNothing(demo, kafkaPort, webPort);
    }
  }

  private static void assertPrintedUpdatesAndAlerts(String out) {
    Matcher m = COMMITTED.matcher(out);
    assertThat(m.find()).as("a summary line of committed updates and alerts in:\n%s", out).isTrue();
    assertThat(Long.parseLong(m.group(1).replace(",", ""))).as("updates").isPositive();
    assertThat(Long.parseLong(m.group(2).replace(",", ""))).as("alerts").isPositive();
    assertThat(out)
        .containsPattern("user-0 +sku-\\d+ ")
        .containsPattern("alert-\\d (<-|retracts) sku-\\d+");
  }

  private static void assertVerified(String out) {
    Matcher m = VERIFIED.matcher(out);
    assertThat(m.find()).as("a verified line in:\n%s", out).isTrue();
    assertThat(m.group(1)).isEqualTo(m.group(2));
    // 100 users and 4 alert profiles, give or take the users who left and came.
    assertThat(Integer.parseInt(m.group(2))).isEqualTo(104);
  }

  private static void assertLeftNothing(DemoChild demo, int kafkaPort, int webPort)
      throws Exception {
    assertThat(demo.descendants()).as("the broker's JVM was seen").isNotEmpty();
    List<ProcessHandle> alive = demo.survivors(Duration.ofSeconds(20));
    assertThat(alive).as("processes the demo started, after it exited").isEmpty();
    assertThat(awaitFree(kafkaPort)).as("broker port %d free again", kafkaPort).isTrue();
    assertThat(awaitFree(webPort)).as("web UI port %d free again", webPort).isTrue();
    try (Stream<Path> left = Files.list(demo.javaTmp)) {
      assertThat(left.map(Path::toString).toList()).as("left in java.io.tmpdir").isEmpty();
    }
  }

  private static boolean awaitFree(int port) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!LocalKafka.isFree(port)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(200);
    }
    return true;
  }
}
