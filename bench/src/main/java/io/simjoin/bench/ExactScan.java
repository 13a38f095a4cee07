package io.simjoin.bench;

import io.simjoin.bench.data.VectorSet;
import io.simjoin.state.kernel.DotKernel;
import io.simjoin.state.kernel.DotKernels;

/**
 * Exact top-k maximum inner product by brute force: the yardstick the tree is checked and timed
 * against, so it is made as fast as a single-threaded scan can be. Rows are scored a block at a
 * time with the fastest {@link DotKernel} into a small buffer that stays in L1, and a row is only
 * looked at again if it beats the current k-th best.
 *
 * <p>Ordering is the project's contract: score descending, ties by id ascending where ids are the
 * row numbers as decimal strings compared with {@link String#compareTo} (so "10" precedes "9").
 *
 * <pre>{@code
 * ExactScan scan = new ExactScan(items);
 * ExactScan.Result top = scan.topK(query, 10);
 * int bestRow = top.ids()[0];
 * float bestScore = top.scores()[0];
 * }</pre>
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public final class ExactScan {
  // 256 scores fit in L1 next to the query; a bigger block saves nothing measurable.
  private static final int BLOCK_ROWS = 256;

  private final float[] data;
  private final int n;
  private final int d;
  private final int[] ids;
  private final DotKernel kernel;

  /** Scans every row of {@code items}; a row's id is its row number. */
  public ExactScan(VectorSet items) {
    this(items, null, DotKernels.best());
  }

  /**
   * Scans every row of {@code items}, reporting row {@code i} as id {@code ids[i]}: used to scan a
   * compacted copy of a data set while answering with the original row numbers.
   */
  public ExactScan(VectorSet items, int[] ids) {
    this(items, ids, DotKernels.best());
  }

  /** As {@link #ExactScan(VectorSet, int[])} with an explicit kernel ({@code ids} may be null). */
  public ExactScan(VectorSet items, int[] ids, DotKernel kernel) {
    if (ids != null && ids.length != items.n()) {
      throw new IllegalArgumentException(
          "got " + ids.length + " ids for " + items.n() + " rows, expected one per row");
    }
    if (ids != null) {
      for (int id : ids) {
        if (id < 0) {
          throw new IllegalArgumentException("ids must be non-negative row numbers, got " + id);
        }
      }
    }
    this.data = items.data();
    this.n = items.n();
    this.d = items.d();
    this.ids = ids;
    this.kernel = kernel;
  }

  /** Number of rows scanned. */
  public int size() {
    return n;
  }

  /** The kernel used; its name goes into benchmark output. */
  public DotKernel kernel() {
    return kernel;
  }

  /**
   * The best {@code min(k, size())} rows for {@code q}, best first.
   *
   * @throws IllegalArgumentException if {@code k < 1} or {@code q} has the wrong dimension
   */
  public Result topK(float[] q, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    if (q.length != d) {
      throw new IllegalArgumentException("query has dimension " + q.length + ", expected " + d);
    }
    int cap = Math.min(k, n);
    // Min-heap on (score, id) whose root is the worst row kept: the bar a new row must beat.
    float[] hs = new float[cap];
    int[] hid = new int[cap];
    int size = 0;
    float bar = Float.NEGATIVE_INFINITY;
    float[] buf = new float[BLOCK_ROWS];
    for (int start = 0; start < n; start += BLOCK_ROWS) {
      int count = Math.min(BLOCK_ROWS, n - start);
      kernel.dots(q, 0, data, start * d, count, d, buf, 0);
      for (int i = 0; i < count; i++) {
        float s = buf[i];
        if (s < bar) {
          continue;
        }
        int id = ids == null ? start + i : ids[start + i];
        if (size < cap) {
          siftUp(hs, hid, size++, s, id);
          if (size == cap) {
            bar = hs[0];
          }
        } else if (s > hs[0] || (s == hs[0] && compareIds(id, hid[0]) < 0)) {
          siftDown(hs, hid, size, s, id);
          bar = hs[0];
        }
      }
    }
    int[] outIds = new int[size];
    float[] outScores = new float[size];
    for (int i = size - 1; i >= 0; i--) {
      outIds[i] = hid[0];
      outScores[i] = hs[0];
      int lastId = hid[i];
      float last = hs[i];
      if (i > 0) {
        siftDown(hs, hid, i, last, lastId);
      }
    }
    return new Result(outIds, outScores);
  }

  /**
   * The best {@code k} of two answers over disjoint rows (each best first), in the same order: the
   * answer of a scan over both row sets, for data scanned a chunk at a time.
   */
  public static Result merge(Result a, Result b, int k) {
    int size = Math.min(k, a.size() + b.size());
    int[] ids = new int[size];
    float[] scores = new float[size];
    for (int i = 0, x = 0, y = 0; i < size; i++) {
      boolean fromA =
          y >= b.size()
              || (x < a.size() && !worse(a.scores()[x], a.ids()[x], b.scores()[y], b.ids()[y]));
      ids[i] = fromA ? a.ids()[x] : b.ids()[y];
      scores[i] = fromA ? a.scores()[x++] : b.scores()[y++];
    }
    return new Result(ids, scores);
  }

  /** Orders ids the way the tree does: their decimal strings by {@link String#compareTo}. */
  static int compareIds(int a, int b) {
    if (a == b) {
      return 0;
    }
    // Only reached on exactly equal scores, so the allocation does not matter.
    return Integer.toString(a).compareTo(Integer.toString(b));
  }

  /** True when (sa, a) ranks below (sb, b): lower score, or equal score and the larger id. */
  private static boolean worse(float sa, int a, float sb, int b) {
    return sa < sb || (sa == sb && compareIds(a, b) > 0);
  }

  private static void siftUp(float[] hs, int[] hid, int pos, float s, int id) {
    while (pos > 0) {
      int parent = (pos - 1) >>> 1;
      if (!worse(s, id, hs[parent], hid[parent])) {
        break;
      }
      hs[pos] = hs[parent];
      hid[pos] = hid[parent];
      pos = parent;
    }
    hs[pos] = s;
    hid[pos] = id;
  }

  /** Replaces the root with (s, id) and restores the heap over {@code [0, size)}. */
  private static void siftDown(float[] hs, int[] hid, int size, float s, int id) {
    int pos = 0;
    while (true) {
      int child = 2 * pos + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && worse(hs[child + 1], hid[child + 1], hs[child], hid[child])) {
        child++;
      }
      if (!worse(hs[child], hid[child], s, id)) {
        break;
      }
      hs[pos] = hs[child];
      hid[pos] = hid[child];
      pos = child;
    }
    hs[pos] = s;
    hid[pos] = id;
  }

  /** Row ids (original row numbers) and their scores, best first. */
  public record Result(int[] ids, float[] scores) {
    public int size() {
      return ids.length;
    }
  }
}
