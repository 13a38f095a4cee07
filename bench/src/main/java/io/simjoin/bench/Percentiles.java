package io.simjoin.bench;

/**
 * Nearest-rank percentiles of latencies, the one definition every bench mode reports with, so the
 * in-memory and the Kafka figures of one run compare like with like.
 *
 * <pre>{@code
 * int[] lat = latencies.toIntArray();
 * Arrays.sort(lat);
 * double p99 = Percentiles.nearestRank(lat, 99);
 * }</pre>
 */
public final class Percentiles {
  private Percentiles() {}

  /**
   * The smallest value at or above which lies {@code p} percent of {@code sorted}.
   *
   * @param sorted ascending values
   * @param p a percentile in (0, 100]
   * @return the value, or NaN when there is none
   */
  public static double nearestRank(int[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }
}
