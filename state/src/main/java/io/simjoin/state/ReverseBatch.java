package io.simjoin.state;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * The points of one bucket that items of a batch reached, with each point's {@code keep} best lower
 * bounds so far, grouped by point for {@link CoverTree.ReverseHits}: what {@link
 * CoverTree#reverseSearchAll} collects per bucket.
 */
final class ReverseBatch {
  private int[] slots = new int[64];
  private int[] items = new int[64];
  private float[] scores = new float[64];
  private float[] margins = new float[64];
  private double[] uppers = new double[64];
  private int size;
  private int[] keeps = new int[64];
  // per slot, its keep largest lower bounds, descending; the last is the slot's cut
  private double[][] best = new double[64][];
  private int[] perSlot = new int[65];

  /** Per slot, the last of its best lower bounds: a hit whose upper bound is below is dropped. */
  private double[] cuts = new double[64];

  /**
   * Per slot, the higher of its bar and its cut: what a hit's upper bound plus its slack must
   * reach.
   */
  double[] floors = new double[64];

  /**
   * Per slot, the screen's uncertainty per unit of probe norm (see {@link
   * ReverseRules#uncertainty}).
   */
  double[] weights = new double[64];

  private int slotCount;
  private double minFloor;
  private boolean minFloorKnown;

  void clear(Bucket b, ToIntFunction<String> keep, double slackFactor) {
    size = 0;
    int n = b.size;
    if (keeps.length < n) {
      keeps = new int[n];
      best = new double[n][];
      perSlot = new int[n + 1];
      cuts = new double[n];
      floors = new double[n];
      weights = new double[n];
    }
    Arrays.fill(cuts, 0, n, Double.NEGATIVE_INFINITY);
    slotCount = n;
    minFloorKnown = false;
    Bucket.Codes codes = b.codes();
    for (int i = 0; i < n; i++) {
      floors[i] = b.bars[i];
      weights[i] = ReverseRules.uncertainty(b, codes, i, slackFactor);
    }
    Arrays.fill(perSlot, 0, n + 1, 0);
    for (int i = 0; i < n; i++) {
      int k = keep.applyAsInt(b.ids[i]);
      if (k < 1) {
        throw new IllegalArgumentException("keep must be at least 1, got " + k);
      }
      // past a few thousand, a cut costs more to keep than the hits it saves
      keeps[i] = k <= 4096 ? k : Integer.MAX_VALUE;
      if (keeps[i] != Integer.MAX_VALUE) {
        if (best[i] == null || best[i].length < k) {
          best[i] = new double[k];
        }
        Arrays.fill(best[i], 0, k, Double.NEGATIVE_INFINITY);
      }
    }
  }

  /** The lowest floor over the bucket's points. */
  double minFloor() {
    if (!minFloorKnown) {
      double m = Double.POSITIVE_INFINITY;
      for (int i = 0; i < slotCount; i++) {
        m = Math.min(m, floors[i]);
      }
      minFloor = m;
      minFloorKnown = true;
    }
    return minFloor;
  }

  void add(int slot, int item, float score, float margin, double slack) {
    double upper = (double) score + margin + slack;
    if (upper < cuts[slot]) {
      return;
    }
    int k = keeps[slot];
    if (k != Integer.MAX_VALUE) {
      double[] top = best[slot];
      if (TopValues.offer(top, (double) score - margin - slack)) {
        cuts[slot] = top[k - 1];
        if (cuts[slot] > floors[slot]) {
          floors[slot] = cuts[slot];
          minFloorKnown = false;
        }
      }
    }
    if (size == slots.length) {
      int n = 2 * size;
      slots = Arrays.copyOf(slots, n);
      items = Arrays.copyOf(items, n);
      scores = Arrays.copyOf(scores, n);
      margins = Arrays.copyOf(margins, n);
      uppers = Arrays.copyOf(uppers, n);
    }
    slots[size] = slot;
    items[size] = item;
    scores[size] = score;
    margins[size] = margin;
    uppers[size] = upper;
    size++;
  }

  /**
   * Reports each point's hits that still reach its final cut, in item order: a counting sort by
   * point, then each point's hits sorted back from the order they were screened in.
   */
  void report(Bucket b, CoverTree.ReverseHits hits) {
    int n = b.size;
    int kept = 0;
    for (int h = 0; h < size; h++) {
      if (uppers[h] >= cuts[slots[h]]) {
        slots[kept] = slots[h];
        items[kept] = items[h];
        scores[kept] = scores[h];
        margins[kept] = margins[h];
        kept++;
        perSlot[slots[h] + 1]++;
      }
    }
    if (kept == 0) {
      return;
    }
    for (int i = 0; i < n; i++) {
      perSlot[i + 1] += perSlot[i];
    }
    int[] outItems = new int[kept];
    float[] outScores = new float[kept];
    float[] outMargins = new float[kept];
    int[] next = Arrays.copyOf(perSlot, n);
    for (int h = 0; h < kept; h++) {
      int at = next[slots[h]]++;
      outItems[at] = items[h];
      outScores[at] = scores[h];
      outMargins[at] = margins[h];
    }
    for (int i = 0; i < n; i++) {
      int from = perSlot[i];
      int count = perSlot[i + 1] - from;
      if (count > 1) {
        inItemOrder(outItems, outScores, outMargins, from, from + count);
      }
      if (count > 0) {
        hits.hits(
            b.ids[i],
            Arrays.copyOfRange(outItems, from, from + count),
            Arrays.copyOfRange(outScores, from, from + count),
            Arrays.copyOfRange(outMargins, from, from + count),
            count);
      }
    }
  }

  private static void inItemOrder(int[] items, float[] scores, float[] margins, int from, int to) {
    boolean sorted = true;
    for (int h = from + 1; h < to && sorted; h++) {
      sorted = items[h - 1] < items[h];
    }
    if (sorted) {
      return;
    }
    it.unimi.dsi.fastutil.Arrays.quickSort(
        from,
        to,
        (x, y) -> Integer.compare(items[x], items[y]),
        (x, y) -> {
          int item = items[x];
          items[x] = items[y];
          items[y] = item;
          float score = scores[x];
          scores[x] = scores[y];
          scores[y] = score;
          float margin = margins[x];
          margins[x] = margins[y];
          margins[y] = margin;
        });
  }
}
