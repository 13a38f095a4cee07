package io.simjoin.jobs.demo;

import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.ThresholdMatch;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The demo's live view, once a second: events in, updates and alerts out (committed, read back from
 * Kafka), event-to-update latency, checkpoints, what the job holds, and every few seconds the top-k
 * of two users and the latest alerts. On a terminal the block is redrawn in place (ANSI cursor
 * moves); otherwise, for logs and pipes, it prints plain lines.
 *
 * <pre>{@code
 * DemoProgress p = new DemoProgress(out, System.console() != null, producer, watcher, rest, ...);
 * p.start();   // a daemon thread
 * p.close();   // stops it and ends the block
 * }</pre>
 *
 * <p>Rates and latency percentiles are over the last {@link #WINDOW_S} seconds: the job commits its
 * output once per checkpoint, so per-second figures would jump between zero and a burst.
 */
final class DemoProgress extends Thread {
  static final int WINDOW_S = 5;
  private static final int DETAIL_EVERY_S = 5;
  private static final int SHOWN_MATCHES = 4;

  private final PrintWriter out;
  private final boolean tty;
  private final DemoProducer producer;
  private final DemoWatcher watcher;
  private final DemoRest rest;
  private final LongSupplier backlog;
  private final int shards;
  private final String checkpointing;
  private final long startMs = System.currentTimeMillis();
  private final ArrayDeque<long[]> counts = new ArrayDeque<>();
  private final ArrayDeque<LatencyHistogram> latencies = new ArrayDeque<>();
  private List<String> details = List.of();
  private int drawnLines;
  private volatile boolean stop;
  private volatile String phase = "loading";

  /** What the demo is doing, shown first on every line ({@code loading}, {@code streaming}). */
  void phase(String phase) {
    this.phase = phase;
  }

  /**
   * @param backlog input records the job has not yet committed offsets for (-1: unknown)
   * @param shards the job's item shards: each holds every standing query of its namespace
   * @param checkpointing how the job checkpoints, for the checkpoint line
   */
  DemoProgress(
      PrintWriter out,
      boolean tty,
      DemoProducer producer,
      DemoWatcher watcher,
      DemoRest rest,
      LongSupplier backlog,
      int shards,
      String checkpointing) {
    super("simjoin-demo-progress");
    setDaemon(true);
    this.out = out;
    this.tty = tty;
    this.producer = producer;
    this.watcher = watcher;
    this.rest = rest;
    this.backlog = backlog;
    this.shards = shards;
    this.checkpointing = checkpointing;
  }

  @Override
  public void run() {
    long tick = 0;
    long next = System.currentTimeMillis();
    while (!stop) {
      try {
        next += 1000;
        Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
      } catch (InterruptedException e) {
        return;
      }
      if (stop) {
        return;
      }
      tick++;
      try {
        draw(tick % DETAIL_EVERY_S == 0 || tick == 2);
      } catch (RuntimeException e) {
        // A view must not stop the demo: skip this second.
      }
    }
  }

  /** Prints a line above the live block (which is drawn again below it on the next tick). */
  synchronized void say(String line) {
    if (tty && drawnLines > 0) {
      out.print("\033[" + drawnLines + "F\033[J");
      drawnLines = 0;
    }
    out.println(line);
    out.flush();
  }

  private synchronized void draw(boolean refreshDetails) {
    long now = System.currentTimeMillis();
    counts.addLast(
        new long[] {
          now,
          producer.itemEvents.get() + producer.queryEvents.get(),
          producer.itemEvents.get(),
          watcher.updates.get(),
          watcher.alerts.get()
        });
    latencies.addLast(watcher.takeRecentLatency());
    while (counts.size() > WINDOW_S + 1) {
      counts.removeFirst();
    }
    while (latencies.size() > WINDOW_S) {
      latencies.removeFirst();
    }
    LatencyHistogram window = new LatencyHistogram();
    latencies.forEach(window::addAll);
    long[] a = counts.getFirst();
    long[] b = counts.getLast();
    double s = Math.max(1e-3, (b[0] - a[0]) / 1e3);
    DemoRest.Checkpoints cp = rest.checkpoints();
    OptionalLong items = rest.shardJoinGauge("items");
    OptionalLong standing = rest.shardJoinGauge("standingQueries");
    long lag = backlog.getAsLong();
    if (refreshDetails) {
      details = details();
    }
    List<String> lines = new ArrayList<>();
    String elapsed = clock((now - startMs) / 1000);
    if (tty) {
      lines.add("simjoin demo  " + elapsed + "  " + phase + "   (Ctrl-C stops, then verifies)");
      lines.add(
          fmt(
              "  in          %,8.0f events/s  (%,.0f item events/s)   %,d events sent",
              (b[1] - a[1]) / s, (b[2] - a[2]) / s, b[1]));
      lines.add(
          fmt(
              "  out         %,8.0f updates/s %,7.1f alerts/s       %,d updates, %,d alerts committed",
              (b[3] - a[3]) / s, (b[4] - a[4]) / s, b[3], b[4]));
      lines.add(
          "  latency     "
              + latencyText(window)
              + "   (event produced -> update committed, last "
              + WINDOW_S
              + " s)");
      lines.add("  checkpoints " + checkpointText(cp) + "   (" + checkpointing + ")");
      lines.add("  held        " + heldText(items, standing) + backlogText(lag));
      lines.addAll(details);
      redraw(lines);
    } else {
      out.println(
          fmt(
              "[%s %s] in %,.0f ev/s | updates %,.0f/s | alerts %,.1f/s | latency %s | checkpoints %s"
                  + " | held %s%s",
              elapsed,
              phase,
              (b[1] - a[1]) / s,
              (b[3] - a[3]) / s,
              (b[4] - a[4]) / s,
              latencyText(window),
              checkpointText(cp),
              heldText(items, standing),
              backlogText(lag)));
      if (refreshDetails) {
        details.forEach(out::println);
      }
      out.flush();
    }
  }

  private void redraw(List<String> lines) {
    StringBuilder sb = new StringBuilder();
    if (drawnLines > 0) {
      sb.append("\033[").append(drawnLines).append('F');
    }
    for (String l : lines) {
      sb.append("\033[2K").append(l).append('\n');
    }
    sb.append("\033[J");
    out.print(sb);
    out.flush();
    drawnLines = lines.size();
  }

  /** The top-k of the shown users and the latest alerts, as read from the output topics. */
  private List<String> details() {
    List<String> lines = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (String user : DemoScenario.SHOWN_USERS) {
      DemoWatcher.Last l = watcher.last(user);
      StringBuilder sb = new StringBuilder(fmt("  %-10s  ", user));
      if (l == null || l.isTombstone()) {
        sb.append("(no committed update yet)");
      } else {
        List<ScoredItem> m = l.matches();
        for (int i = 0; i < Math.min(SHOWN_MATCHES, m.size()); i++) {
          sb.append(fmt("%s %.3f  ", m.get(i).itemId(), m.get(i).score()));
        }
        sb.append(
            fmt(
                "... top-%d, update #%d, %s %s ago",
                m.size(), l.seq(), l.cause().name().toLowerCase(Locale.ROOT), ago(now, l)));
      }
      lines.add(sb.toString());
    }
    List<ThresholdMatch> alerts = watcher.latestAlerts();
    StringBuilder sb = new StringBuilder("  alerts      ");
    if (alerts.isEmpty()) {
      sb.append("(none yet)");
    }
    for (int i = 0; i < Math.min(3, alerts.size()); i++) {
      ThresholdMatch m = alerts.get(i);
      sb.append(
          fmt(
              "%s%s %s %s %.3f   ",
              i == 0 ? "" : "| ",
              m.queryId(),
              m.isRetraction() ? "retracts" : "<-",
              m.itemId(),
              m.score()));
    }
    lines.add(sb.toString());
    return lines;
  }

  private static String ago(long now, DemoWatcher.Last l) {
    return Math.max(0, (now - l.timestamp()) / 1000) + " s";
  }

  static String latencyText(LatencyHistogram h) {
    return h.count() == 0
        ? "p50 -      p99 -     "
        : fmt("p50 %,5d ms p99 %,5d ms", h.percentile(50), h.percentile(99));
  }

  private static String checkpointText(DemoRest.Checkpoints c) {
    if (c.completed() < 0) {
      return "(web UI not answering yet)";
    }
    return c.lastDurationMs() < 0
        ? fmt("%d completed", c.completed())
        : fmt(
            "%d completed, last took %,d ms (%s)",
            c.completed(), c.lastDurationMs(), bytes(c.lastSizeBytes()));
  }

  private String heldText(OptionalLong items, OptionalLong standing) {
    if (items.isEmpty() || standing.isEmpty()) {
      return "(job gauges not reported yet)";
    }
    // Every shard holds every standing query of its namespace: the gauge counts each once per
    // shard.
    return fmt("%,d items, %,d standing queries", items.getAsLong(), standing.getAsLong() / shards);
  }

  private static String backlogText(long lag) {
    return lag < 0 ? "" : fmt(" | input not yet checkpointed %,d", lag);
  }

  static String bytes(long b) {
    if (b < 0) {
      return "? B";
    }
    return b < 1 << 20 ? fmt("%,d KiB", b >> 10) : fmt("%,.1f MiB", b / 1048576.0);
  }

  static String clock(long s) {
    return fmt("%d:%02d", s / 60, s % 60);
  }

  private static String fmt(String f, Object... args) {
    return String.format(Locale.ROOT, f, args);
  }

  /** Stops the view and leaves the last block on screen. */
  void close() throws InterruptedException {
    stop = true;
    interrupt();
    join(5_000);
    out.flush();
  }
}
