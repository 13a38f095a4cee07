package io.simjoin.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What keeps a timed-out or killed test JVM from leaving Flink JVMs behind: a JVM stands in for the
 * test JVM, starts a child under {@link ParentWatch} the way {@link StandaloneFlinkCluster} does,
 * and is killed with {@code kill -9}; the child must exit by itself.
 */
class ParentWatchTest {

  /** The stand-in for the test JVM: starts a watched child, prints its pid, waits forever. */
  public static final class Parent {
    public static void main(String[] args) throws Exception {
      Process child =
          new ProcessBuilder(java(), "-cp", args[0], ParentWatch.class.getName(), args[1])
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      System.out.println(child.pid());
      System.out.flush();
      Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    }
  }

  /** The child: would run for ten minutes. */
  public static final class Sleeper {
    public static void main(String[] args) throws Exception {
      Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Test
  void aWatchedChildExitsWhenItsParentIsKilled() throws Exception {
    String cp = System.getProperty("java.class.path");
    Process parent =
        new ProcessBuilder(
                List.of(java(), "-cp", cp, Parent.class.getName(), cp, Sleeper.class.getName()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    ProcessHandle child;
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
      long pid = Long.parseLong(out.readLine().strip());
      child = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no child " + pid));
      assertThat(child.isAlive()).as("the child while its parent lives").isTrue();
    } finally {
      parent.destroyForcibly();
      parent.waitFor(30, TimeUnit.SECONDS);
    }
    try {
      child.onExit().get(60, TimeUnit.SECONDS);
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.isAlive()).as("the child after its parent was killed").isFalse();
  }
}
