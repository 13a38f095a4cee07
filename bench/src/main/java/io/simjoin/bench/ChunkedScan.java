package io.simjoin.bench;

import io.simjoin.bench.data.DatasetSpec;
import io.simjoin.bench.data.SyntheticData.Role;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.state.kernel.DotKernel;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import it.unimi.dsi.fastutil.ints.IntSet;
import java.util.stream.IntStream;

/**
 * The exact answers to a batch of queries over a synthetic data set that never fits in memory at
 * once: the set is generated a chunk at a time, each chunk's live rows are scanned by {@link
 * ExactScan} for every query and merged into the running answers ({@link ExactScan#merge}), and the
 * rows the checker will look up again are kept on the way. The oracle of {@code bench --store
 * rocksdb} when the items are larger than the heap.
 *
 * <pre>{@code
 * ExactAnswers exact = ChunkedScan.run(spec, deleted, queries, 10, rowsToKeep, kernel);
 * ExactScan.Result best = exact.answer(0);
 * float[] row = exact.rows().apply(rowsToKeep.iterator().nextInt());
 * }</pre>
 */
public final class ChunkedScan {
  private ChunkedScan() {}

  /**
   * Scans {@code items} chunk by chunk for every query.
   *
   * @param deleted rows that are not in the index (indexed by row number)
   * @param keep rows whose vectors the answers' {@link ExactAnswers#rows()} return
   */
  public static ExactAnswers run(
      DatasetSpec.Synthetic items,
      boolean[] deleted,
      VectorSet queries,
      int k,
      IntSet keep,
      DotKernel kernel)
      throws Exception {
    int nq = queries.n();
    ExactScan.Result[] answers = new ExactScan.Result[nq];
    for (int i = 0; i < nq; i++) {
      answers[i] = new ExactScan.Result(new int[0], new float[0]);
    }
    long[] scanNs = new long[nq];
    Int2ObjectOpenHashMap<float[]> kept = new Int2ObjectOpenHashMap<>();
    items.forEachChunk(
        Role.ITEMS,
        (first, chunk) -> {
          int[] live = IntStream.range(first, first + chunk.n()).filter(r -> !deleted[r]).toArray();
          int[] local = new int[live.length];
          for (int j = 0; j < live.length; j++) {
            local[j] = live[j] - first;
            if (keep.contains(live[j])) {
              kept.put(live[j], chunk.row(local[j]));
            }
          }
          if (live.length == 0) {
            return;
          }
          ExactScan scan = new ExactScan(chunk.select(local), live, kernel);
          // Queries are independent: both cores, each query's time its own.
          IntStream.range(0, nq)
              .parallel()
              .forEach(
                  i -> {
                    long t = System.nanoTime();
                    answers[i] = ExactScan.merge(answers[i], scan.topK(queries.row(i), k), k);
                    scanNs[i] += System.nanoTime() - t;
                  });
        });
    return new ExactAnswers(answers, scanNs, kept::get);
  }

  /** Rows to keep: every id in the answers that parses as a row number. */
  public static IntSet rowsNamed(Iterable<String> ids) {
    IntSet rows = new IntOpenHashSet();
    for (String id : ids) {
      try {
        rows.add(Integer.parseInt(id));
      } catch (NumberFormatException e) {
        // not a row: the checker reports it as an unknown id
      }
    }
    return rows;
  }
}
