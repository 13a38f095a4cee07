package io.simjoin.state;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keeps the k best (score, id) pairs seen: score descending, ties by id ascending. A binary heap
 * with the worst kept pair at the root, so a candidate is checked against one pair.
 *
 * <p>Arrays grow with the number of pairs kept, not with k, so a huge k on a small index costs
 * nothing.
 */
public final class TopKCollector {
  private int k;
  private int size;
  private float[] scores = new float[16];
  private String[] ids = new String[16];

  /** Starts a new search for the best {@code k}. */
  public void reset(int k) {
    if (k <= 0) {
      throw new IllegalArgumentException("k must be positive, got " + k);
    }
    this.k = k;
    Arrays.fill(ids, 0, size, null);
    size = 0;
  }

  public boolean isFull() {
    return size == k;
  }

  public int size() {
    return size;
  }

  /** The k-th best score so far, or negative infinity while fewer than k are kept. */
  public float bar() {
    return size == k ? scores[0] : Float.NEGATIVE_INFINITY;
  }

  /** Whether a point with this score and id would enter. */
  public boolean admits(float score, String id) {
    if (size < k) {
      return true;
    }
    return score > scores[0] || (score == scores[0] && id.compareTo(ids[0]) < 0);
  }

  /** Offers a candidate; returns whether it entered. */
  public boolean offer(float score, String id) {
    if (size < k) {
      if (size == scores.length) {
        int cap = (int) Math.min((long) k, 2L * size);
        scores = Arrays.copyOf(scores, cap);
        ids = Arrays.copyOf(ids, cap);
      }
      int i = size++;
      scores[i] = score;
      ids[i] = id;
      siftUp(i);
      return true;
    }
    if (!admits(score, id)) {
      return false;
    }
    scores[0] = score;
    ids[0] = id;
    siftDown(0);
    return true;
  }

  /**
   * The kept pairs, best first; empties the collector. The heap hands them out worst first, so
   * filling the list from its end sorts it with no comparator sort: on a small index the sort would
   * cost as much as the search.
   */
  public List<Match> result() {
    Match[] out = new Match[size];
    while (size > 0) {
      int last = --size;
      out[last] = new Match(ids[0], scores[0]);
      swap(0, last);
      ids[last] = null;
      siftDown(0);
    }
    return new ArrayList<>(Arrays.asList(out));
  }

  /** a is worse than b: lower score, or equal score and larger id. */
  private boolean worse(int a, int b) {
    return scores[a] < scores[b] || (scores[a] == scores[b] && ids[a].compareTo(ids[b]) > 0);
  }

  private void siftUp(int i) {
    while (i > 0) {
      int p = (i - 1) >>> 1;
      if (!worse(i, p)) {
        return;
      }
      swap(i, p);
      i = p;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        return;
      }
      int w = l;
      int r = l + 1;
      if (r < size && worse(r, l)) {
        w = r;
      }
      if (!worse(w, i)) {
        return;
      }
      swap(i, w);
      i = w;
    }
  }

  private void swap(int a, int b) {
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
    String t = ids[a];
    ids[a] = ids[b];
    ids[b] = t;
  }
}
