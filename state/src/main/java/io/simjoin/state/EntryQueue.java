package io.simjoin.state;

import java.util.Arrays;

/**
 * The best-first frontier of a traversal: (priority, node id, is-bucket) triples in a binary
 * max-heap on primitive arrays, reused across searches so a query allocates nothing here.
 */
final class EntryQueue {
  private double[] priorities = new double[64];
  private long[] ids = new long[64];
  private boolean[] buckets = new boolean[64];
  private int size;

  void clear() {
    size = 0;
  }

  boolean isEmpty() {
    return size == 0;
  }

  double topPriority() {
    return priorities[0];
  }

  long topId() {
    return ids[0];
  }

  boolean topIsBucket() {
    return buckets[0];
  }

  void push(double priority, long id, boolean bucket) {
    if (size == ids.length) {
      int cap = size * 2;
      priorities = Arrays.copyOf(priorities, cap);
      ids = Arrays.copyOf(ids, cap);
      buckets = Arrays.copyOf(buckets, cap);
    }
    int i = size++;
    while (i > 0) {
      int p = (i - 1) >>> 1;
      if (priorities[p] >= priority) {
        break;
      }
      priorities[i] = priorities[p];
      ids[i] = ids[p];
      buckets[i] = buckets[p];
      i = p;
    }
    priorities[i] = priority;
    ids[i] = id;
    buckets[i] = bucket;
  }

  void pop() {
    int last = --size;
    if (last == 0) {
      return;
    }
    double pr = priorities[last];
    long id = ids[last];
    boolean b = buckets[last];
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
      ids[i] = ids[c];
      buckets[i] = buckets[c];
      i = c;
    }
    priorities[i] = pr;
    ids[i] = id;
    buckets[i] = b;
  }
}
