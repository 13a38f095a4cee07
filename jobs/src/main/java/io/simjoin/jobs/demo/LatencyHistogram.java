package io.simjoin.jobs.demo;

/**
 * Latencies in whole milliseconds, counted per millisecond up to two minutes (longer ones share the
 * last bucket), so an hour-long demo keeps a fixed, small footprint and exact percentiles.
 *
 * <pre>{@code
 * LatencyHistogram h = new LatencyHistogram();
 * h.add(120);
 * long p99 = h.percentile(99);
 * }</pre>
 *
 * <p>Thread-safe: the consumer thread adds, the progress thread reads.
 */
final class LatencyHistogram {
  static final int MAX_MS = 120_000;

  private final long[] counts = new long[MAX_MS + 1];
  private long total;

  synchronized void add(long ms) {
    counts[(int) Math.max(0, Math.min(MAX_MS, ms))]++;
    total++;
  }

  synchronized void addAll(LatencyHistogram other) {
    synchronized (other) {
      for (int i = 0; i <= MAX_MS; i++) {
        counts[i] += other.counts[i];
      }
      total += other.total;
    }
  }

  synchronized void clear() {
    java.util.Arrays.fill(counts, 0);
    total = 0;
  }

  synchronized long count() {
    return total;
  }

  /**
   * The smallest latency at or above which lie {@code 100 - p} percent of the samples; -1 if none.
   */
  synchronized long percentile(double p) {
    if (total == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
    long seen = 0;
    for (int i = 0; i <= MAX_MS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return i;
      }
    }
    return MAX_MS;
  }
}
