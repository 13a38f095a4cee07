package io.simjoin.state;

import java.util.Arrays;

/**
 * A leaf of a {@link CoverTree}: up to the tree's bucket capacity of points, their vectors stored
 * one after another in one {@code float[]} so that a search scans them with one kernel call.
 *
 * <p>Each point has a string id, its norm (for the per-point norm bound) and, in trees with bars
 * (standing queries), its bar. Points are kept in descending order of norm: the points a norm bound
 * leaves in play are then a prefix, scored with one contiguous kernel call however many it drops.
 * The bucket's centre and radius live in its parent's entry.
 */
public final class Bucket implements Node {
  private final int dim;
  long parent;
  int size;
  String[] ids;
  float[] vectors;
  float[] norms;
  float[] bars;

  /** An empty bucket with room for {@code capacity} points; {@code withBars} for query trees. */
  public Bucket(int dim, int capacity, boolean withBars, long parent) {
    this.dim = dim;
    this.parent = parent;
    int cap = Math.max(1, capacity);
    this.ids = new String[cap];
    this.vectors = new float[cap * dim];
    this.norms = new float[cap];
    this.bars = withBars ? new float[cap] : null;
  }

  @Override
  public long parent() {
    return parent;
  }

  @Override
  public int size() {
    return size;
  }

  public int dimension() {
    return dim;
  }

  public boolean hasBars() {
    return bars != null;
  }

  public String id(int i) {
    return ids[i];
  }

  /** The contiguous vector block; point {@code i} starts at {@code i * dimension()}. */
  public float[] vectors() {
    return vectors;
  }

  public float norm(int i) {
    return norms[i];
  }

  /** The bar of point {@code i}; {@code -Infinity} in trees without bars. */
  public float bar(int i) {
    return bars == null ? Float.NEGATIVE_INFINITY : bars[i];
  }

  /**
   * Appends a point after all others; the caller keeps norms in descending order (deserializers
   * restore a bucket in its stored order).
   */
  public void append(String id, float[] vector, int off, float norm, float bar) {
    if (size > 0 && norm > norms[size - 1]) {
      throw new IllegalArgumentException(
          "points must be appended in descending order of norm: "
              + norm
              + " after "
              + norms[size - 1]);
    }
    ensureCapacity(size + 1);
    set(size++, id, vector, off, norm, bar);
  }

  /** Inserts a point at its place in norm order (after points of equal norm). */
  void insert(String id, float[] vector, int off, float norm, float bar) {
    ensureCapacity(size + 1);
    int pos = size;
    while (pos > 0 && norms[pos - 1] < norm) {
      pos--;
    }
    shift(pos, pos + 1, size - pos);
    size++;
    set(pos, id, vector, off, norm, bar);
  }

  private void set(int i, String id, float[] vector, int off, float norm, float bar) {
    ids[i] = id;
    System.arraycopy(vector, off, vectors, i * dim, dim);
    norms[i] = norm;
    if (bars != null) {
      bars[i] = bar;
    }
  }

  /** Moves {@code count} points from slot {@code from} to slot {@code to}. */
  private void shift(int from, int to, int count) {
    System.arraycopy(ids, from, ids, to, count);
    System.arraycopy(vectors, from * dim, vectors, to * dim, count * dim);
    System.arraycopy(norms, from, norms, to, count);
    if (bars != null) {
      System.arraycopy(bars, from, bars, to, count);
    }
  }

  /** Removes point {@code i}, keeping the norm order. */
  void removeAt(int i) {
    int last = --size;
    shift(i + 1, i, last - i);
    ids[last] = null;
    // Give memory back once a bucket has shrunk well below its arrays, so deletes leave no garbage.
    if (ids.length > 8 && size < ids.length / 4) {
      resize(Math.max(size + size / 2, 4));
    }
  }

  int indexOf(String id) {
    for (int i = 0; i < size; i++) {
      if (ids[i].equals(id)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether some point's vector equals {@code v[off, off + dim)} exactly. */
  boolean holdsVector(float[] v, int off) {
    for (int i = 0; i < size; i++) {
      if (Arrays.equals(vectors, i * dim, (i + 1) * dim, v, off, off + dim)) {
        return true;
      }
    }
    return false;
  }

  private void ensureCapacity(int needed) {
    if (needed > ids.length) {
      resize(Math.max(needed, ids.length + (ids.length >> 1) + 1));
    }
  }

  void resize(int cap) {
    ids = Arrays.copyOf(ids, cap);
    vectors = Arrays.copyOf(vectors, cap * dim);
    norms = Arrays.copyOf(norms, cap);
    if (bars != null) {
      bars = Arrays.copyOf(bars, cap);
    }
  }

  /** Number of points the arrays can hold without growing. */
  public int capacity() {
    return ids.length;
  }

  @Override
  public Bucket copy() {
    Bucket c = new Bucket(dim, capacity(), bars != null, parent);
    c.size = size;
    System.arraycopy(ids, 0, c.ids, 0, size);
    System.arraycopy(vectors, 0, c.vectors, 0, size * dim);
    System.arraycopy(norms, 0, c.norms, 0, size);
    if (bars != null) {
      System.arraycopy(bars, 0, c.bars, 0, size);
    }
    return c;
  }

  @Override
  public String toString() {
    return "Bucket{parent=" + parent + ", size=" + size + "}";
  }
}
