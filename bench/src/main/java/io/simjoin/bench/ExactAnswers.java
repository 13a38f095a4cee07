package io.simjoin.bench;

import io.simjoin.bench.data.VectorSet;
import io.simjoin.state.kernel.DotKernel;
import java.util.function.IntFunction;

/**
 * The oracle's answers to a batch of queries, with the time the scan took for each and the item
 * rows the checker rescores: over items in memory ({@link #scan}) or generated a chunk at a time
 * ({@link ChunkedScan#run}).
 *
 * <pre>{@code
 * ExactAnswers exact = ExactAnswers.scan(items, deleted, liveN, queries, 10, 50, kernel);
 * ExactScan.Result best = exact.answer(0);
 * }</pre>
 */
public final class ExactAnswers {
  private final ExactScan.Result[] answers;
  private final long[] scanNs;
  private final IntFunction<float[]> rows;

  /**
   * @param rows item rows by row number: at least those named in the answers being checked
   */
  ExactAnswers(ExactScan.Result[] answers, long[] scanNs, IntFunction<float[]> rows) {
    this.answers = answers;
    this.scanNs = scanNs;
    this.rows = rows;
  }

  /** The exact answer to query {@code i}, best first. */
  public ExactScan.Result answer(int i) {
    return answers[i];
  }

  /** Nanoseconds the scan spent on query {@code i}. */
  public long scanNs(int i) {
    return scanNs[i];
  }

  /** Item rows by row number (at least those in the answers being checked). */
  public IntFunction<float[]> rows() {
    return rows;
  }

  /**
   * Scans the live rows of {@code items} for every query, after {@code warmup} untimed queries.
   *
   * @param deleted rows that are not in the index
   */
  public static ExactAnswers scan(
      VectorSet items,
      boolean[] deleted,
      int liveN,
      float[][] queries,
      int k,
      int warmup,
      DotKernel kernel) {
    ExactScan scan;
    if (liveN < items.n()) {
      int[] live = new int[liveN];
      for (int row = 0, j = 0; row < items.n(); row++) {
        if (!deleted[row]) {
          live[j++] = row;
        }
      }
      scan = new ExactScan(items.select(live), live, kernel);
    } else {
      scan = new ExactScan(items, null, kernel);
    }
    for (int i = 0; i < Math.min(warmup, queries.length); i++) {
      scan.topK(queries[i], k);
    }
    ExactScan.Result[] answers = new ExactScan.Result[queries.length];
    long[] ns = new long[queries.length];
    for (int i = 0; i < queries.length; i++) {
      long t = System.nanoTime();
      answers[i] = scan.topK(queries[i], k);
      ns[i] = System.nanoTime() - t;
    }
    return new ExactAnswers(answers, ns, items::row);
  }
}
