package io.simjoin.jobs.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * A main that runs another main and exits when its parent process is gone: it reads its standard
 * input, a pipe from the parent, until end of file. The kernel closes that pipe however the parent
 * ends, {@code kill -9} and a timed-out test JVM included, so a child started through this class is
 * never orphaned. It has no dependencies, so {@link StandaloneFlinkCluster} copies this one class
 * file to the front of a child's classpath.
 *
 * <pre>{@code
 * java -cp watch:$CP io.simjoin.jobs.cluster.ParentWatch \
 *     org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir conf
 * }</pre>
 */
public final class ParentWatch {
  /** How long the orderly exit (Flink's shutdown hooks) may take before the JVM halts. */
  private static final long HALT_AFTER_MS = 10_000;

  private ParentWatch() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: ParentWatch <main class> [args...]");
    }
    Thread watch = new Thread(ParentWatch::exitAtEndOfInput, "simjoin-parent-watch");
    watch.setDaemon(true);
    watch.start();
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }

  private static void exitAtEndOfInput() {
    try (InputStream in = System.in) {
      byte[] buf = new byte[256];
      while (in.read(buf) >= 0) {
        // the parent never writes; anything it might is ignored
      }
    } catch (IOException e) {
      // a broken pipe means the same as end of input: the parent is gone
    }
    Thread halt =
        new Thread(
            () -> {
              try {
                Thread.sleep(HALT_AFTER_MS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(137);
            },
            "simjoin-parent-watch-halt");
    halt.setDaemon(true);
    halt.start();
    System.err.println("simjoin ParentWatch: the parent process is gone, exiting");
    System.exit(143);
  }
}
