package io.simjoin.state;

/**
 * The k largest of a stream of values, kept descending in a plain array: for the cuts of a batched
 * reverse search, where k is small and most values fall below the k-th at once.
 *
 * <pre>{@code
 * double[] top = new double[k];
 * Arrays.fill(top, Double.NEGATIVE_INFINITY);
 * for (double v : values) {
 *   TopValues.offer(top, v);
 * }
 * double kth = top[k - 1]; // -∞ while fewer than k values came
 * }</pre>
 */
public final class TopValues {
  private TopValues() {}

  /**
   * Puts {@code value} in its place in the descending {@code top} when it beats the last, which
   * drops out; returns whether it did.
   */
  public static boolean offer(double[] top, double value) {
    int last = top.length - 1;
    if (!(value > top[last])) {
      return false;
    }
    int at = last;
    while (at > 0 && top[at - 1] < value) {
      top[at] = top[at - 1];
      at--;
    }
    top[at] = value;
    return true;
  }
}
