package io.simjoin.jobs.demo;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Ctrl-C as a request to finish: the first SIGINT lets the demo stop producing, wait for the job's
 * last commit, print its summary and verify itself, then clean up and exit; a second SIGINT (or a
 * SIGTERM) ends the JVM at once, and the demo's shutdown hook ({@link DemoCleanup}) still removes
 * every process and directory it started.
 *
 * <pre>{@code
 * DemoStop stop = DemoStop.onSigint();
 * stop.await(Duration.ofSeconds(1).toMillis());   // true once Ctrl-C was pressed
 * }</pre>
 */
final class DemoStop {
  private final CountDownLatch requested = new CountDownLatch(1);

  private DemoStop() {}

  /** Installs the SIGINT handler; where the JVM does not allow it, Ctrl-C ends it as usual. */
  static DemoStop onSigint() {
    DemoStop stop = new DemoStop();
    try {
      Signal.handle(
          new Signal("INT"),
          sig -> {
            stop.requested.countDown();
            // The next Ctrl-C is the JVM's again: exit now, through the shutdown hooks.
            Signal.handle(sig, sun.misc.SignalHandler.SIG_DFL);
          });
    } catch (IllegalArgumentException e) {
      // SIGINT is ignored or reserved here (e.g. a background job): the shutdown hook covers it.
    }
    return stop;
  }

  /** Whether Ctrl-C was pressed. */
  boolean requested() {
    return requested.getCount() == 0;
  }

  /** Waits up to {@code ms} for Ctrl-C; true if it came. */
  boolean await(long ms) throws InterruptedException {
    return requested.await(ms, TimeUnit.MILLISECONDS);
  }
}
