package io.simjoin.state;

import java.util.Arrays;

/**
 * The frontier of a traversal: (priority, node id, is-bucket) triples on primitive arrays, reused
 * across searches so a query allocates nothing here.
 *
 * <p>It starts as a binary max-heap (best first). {@link #flatten()} turns it into a plain stack:
 * once a search has learned that its bounds prune little, keeping the frontier ordered costs more
 * than the order saves, and popping in any order stays exact as long as every entry is checked
 * against the current bar when it is popped.
 */
final class EntryQueue {
  private double[] priorities = new double[64];
  // the node id, with the sign bit set for buckets (ids are never negative)
  private long[] entries = new long[64];
  private int size;
  private boolean ordered = true;

  void clear() {
    size = 0;
    ordered = true;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Whether entries still come out best first. */
  boolean ordered() {
    return ordered;
  }

  /** From now on entries come out in any order, at O(1) a push or pop. */
  void flatten() {
    ordered = false;
  }

  /** Priority of the entry {@link #pop()} would return. */
  double topPriority() {
    return priorities[ordered ? 0 : size - 1];
  }

  long topId() {
    return entries[ordered ? 0 : size - 1] & Long.MAX_VALUE;
  }

  boolean topIsBucket() {
    return entries[ordered ? 0 : size - 1] < 0;
  }

  void push(double priority, long id, boolean bucket) {
    if (size == entries.length) {
      priorities = Arrays.copyOf(priorities, 2 * size);
      entries = Arrays.copyOf(entries, 2 * size);
    }
    long entry = bucket ? id | Long.MIN_VALUE : id;
    int i = size++;
    if (ordered) {
      while (i > 0) {
        int p = (i - 1) >>> 1;
        if (priorities[p] >= priority) {
          break;
        }
        priorities[i] = priorities[p];
        entries[i] = entries[p];
        i = p;
      }
    }
    priorities[i] = priority;
    entries[i] = entry;
  }

  void pop() {
    int last = --size;
    if (!ordered || last == 0) {
      return;
    }
    double pr = priorities[last];
    long e = entries[last];
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        break;
      }
      int c = l;
      if (l + 1 < size && priorities[l + 1] > priorities[l]) {
        c = l + 1;
      }
      if (priorities[c] <= pr) {
        break;
      }
      priorities[i] = priorities[c];
      entries[i] = entries[c];
      i = c;
    }
    priorities[i] = pr;
    entries[i] = e;
  }
}
