package io.simjoin.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.jobs.LocalKafka;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port the user named that is already taken, the broker's or the web UI's, is one clear line and
 * exit 2: no stack trace, and nothing left running or on disk.
 */
class DemoPortsIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @TempDir Path tmp;

  @Test
  void aTakenBrokerPortIsOneClearLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      expectOneLineAboutPort(port, "--kafka-port", Integer.toString(port), "--web-ui-port", free());
    }
  }

  @Test
  void aTakenWebUiPortIsOneClearLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      expectOneLineAboutPort(port, "--web-ui-port", Integer.toString(port), "--kafka-port", free());
    }
  }

  private void expectOneLineAboutPort(int port, String... args) throws Exception {
    try (DemoChild demo = DemoChild.start(tmp, args)) {
      int exit = demo.waitFor(TIMEOUT);
      String err = demo.stderr();
      assertThat(exit).as("exit code; stdout:\n%s\nstderr:\n%s", demo.stdout(), err).isEqualTo(2);
      assertThat(err.strip().lines())
          .as("stderr")
          .singleElement()
          .asString()
          .startsWith("simjoin demo: port " + port + " on 127.0.0.1 is in use")
          .contains(args[0] + " 0");
      assertThat(err).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(demo.survivors(Duration.ofSeconds(20))).isEmpty();
      try (Stream<Path> left = Files.list(demo.javaTmp)) {
        assertThat(left.toList()).as("left in java.io.tmpdir").isEmpty();
      }
    }
  }

  private static String free() throws Exception {
    return Integer.toString(LocalKafka.freePort());
  }
}
