package io.simjoin.state;

import io.simjoin.state.kernel.DotKernel;
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
  int head;
  float[] heads;
  float[] tails;

  /**
   * The vectors quantized to 8-bit codes in panels ({@link #codes()}), built on demand and dropped
   * by any change to the vectors. Never written after it is built, so a copy of the bucket may
   * share it.
   */
  private Codes codes;

  /**
   * 8-bit codes of the vectors, panel by panel with one scale per panel, and an upper bound of each
   * point's quantization error: {@code ‖v_i − scale·code_i‖ <= errors[i]}.
   */
  record Codes(byte[] panels, float[] scales, float[] errors) {}

  /**
   * An empty bucket with room for {@code capacity} points; {@code withBars} for query trees, {@code
   * head > 0} when the tree has a {@link Basis} and points carry heads and tails.
   */
  public Bucket(int dim, int capacity, boolean withBars, int head, long parent) {
    this.dim = dim;
    this.parent = parent;
    int cap = Math.max(1, capacity);
    this.ids = new String[cap];
    this.vectors = new float[cap * dim];
    this.norms = new float[cap];
    this.bars = withBars ? new float[cap] : null;
    this.head = head;
    this.heads = head > 0 ? new float[cap * head] : null;
    this.tails = head > 0 ? new float[cap] : null;
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

  /** Length of each point's head; 0 when points carry none. */
  public int head() {
    return head;
  }

  /** The contiguous head block (point {@code i} at {@code i * head()}), or {@code null}. */
  public float[] heads() {
    return heads;
  }

  /** Upper bound of the norm of point {@code i} outside its head. */
  public float tail(int i) {
    return tails[i];
  }

  /** The bar of point {@code i}; {@code -Infinity} in trees without bars. */
  public float bar(int i) {
    return bars == null ? Float.NEGATIVE_INFINITY : bars[i];
  }

  /**
   * The vectors as 8-bit codes in panels, for {@link DotKernel#panelDots}: component {@code j} of
   * point {@code i} at {@code ((i / PANEL) * dim + j) * PANEL + i % PANEL}, zero past the last
   * point, and in value {@code scales[i / PANEL] × code}. Built at the first call after a change to
   * the points and kept until the next: query trees, whose vectors rarely change while their
   * buckets are screened for every item, pay the quantization once, and a screen reads a quarter of
   * the memory of the vectors.
   */
  Codes codes() {
    Codes c = codes;
    if (c == null) {
      int w = DotKernel.PANEL;
      int panelCount = panelCount();
      byte[] panels = new byte[panelCount * w * dim];
      float[] scales = new float[panelCount];
      float[] errors = new float[size];
      for (int p = 0; p < panelCount; p++) {
        int first = p * w;
        int end = Math.min(size, first + w);
        float maxAbs = 0;
        for (int k = first * dim; k < end * dim; k++) {
          maxAbs = Math.max(maxAbs, Math.abs(vectors[k]));
        }
        float scale = maxAbs / 127f;
        scales[p] = scale;
        for (int i = first; i < end; i++) {
          int to = p * dim * w + i - first;
          double error2 = 0;
          for (int j = 0, from = i * dim; j < dim; j++) {
            float v = vectors[from + j];
            int code = scale == 0 ? 0 : Math.max(-127, Math.min(127, Math.round(v / scale)));
            panels[to + j * w] = (byte) code;
            double e = v - (double) scale * code;
            error2 += e * e;
          }
          // rounded up, so it stays a bound
          errors[i] = Math.nextUp((float) (Math.sqrt(error2) * (1 + 1e-6)));
        }
      }
      c = new Codes(panels, scales, errors);
      codes = c;
    }
    return c;
  }

  /** Number of panels in {@link #codes()}. */
  int panelCount() {
    return (size + DotKernel.PANEL - 1) / DotKernel.PANEL;
  }

  /**
   * Appends a point after all others; the caller keeps norms in descending order (deserializers
   * restore a bucket in its stored order).
   */
  public void append(
      String id,
      float[] vector,
      int off,
      float norm,
      float bar,
      float[] hd,
      int hdOff,
      float tail) {
    if (size > 0 && norm > norms[size - 1]) {
      throw new IllegalArgumentException(
          "points must be appended in descending order of norm: "
              + norm
              + " after "
              + norms[size - 1]);
    }
    ensureCapacity(size + 1);
    set(size++, id, vector, off, norm, bar, hd, hdOff, tail);
  }

  /** Inserts a point at its place in norm order (after points of equal norm). */
  void insert(
      String id,
      float[] vector,
      int off,
      float norm,
      float bar,
      float[] hd,
      int hdOff,
      float tail) {
    ensureCapacity(size + 1);
    int pos = size;
    while (pos > 0 && norms[pos - 1] < norm) {
      pos--;
    }
    shift(pos, pos + 1, size - pos);
    size++;
    set(pos, id, vector, off, norm, bar, hd, hdOff, tail);
  }

  private void set(
      int i,
      String id,
      float[] vector,
      int off,
      float norm,
      float bar,
      float[] hd,
      int hdOff,
      float tail) {
    ids[i] = id;
    codes = null;
    System.arraycopy(vector, off, vectors, i * dim, dim);
    norms[i] = norm;
    if (bars != null) {
      bars[i] = bar;
    }
    if (heads != null) {
      System.arraycopy(hd, hdOff, heads, i * head, head);
      tails[i] = tail;
    }
  }

  /** Recomputes every point's head and tail for a new basis, or drops them when it is null. */
  void rebase(Basis basis) {
    head = basis == null ? 0 : basis.head();
    if (basis == null) {
      heads = null;
      tails = null;
      return;
    }
    heads = new float[ids.length * head];
    tails = new float[ids.length];
    for (int i = 0; i < size; i++) {
      tails[i] = basis.project(vectors, i * dim, heads, i * head);
    }
  }

  /** Moves {@code count} points from slot {@code from} to slot {@code to}. */
  private void shift(int from, int to, int count) {
    codes = null;
    System.arraycopy(ids, from, ids, to, count);
    System.arraycopy(vectors, from * dim, vectors, to * dim, count * dim);
    System.arraycopy(norms, from, norms, to, count);
    if (bars != null) {
      System.arraycopy(bars, from, bars, to, count);
    }
    if (heads != null) {
      System.arraycopy(heads, from * head, heads, to * head, count * head);
      System.arraycopy(tails, from, tails, to, count);
    }
  }

  /** Removes point {@code i}, keeping the norm order. */
  void removeAt(int i) {
    codes = null;
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
      // Small steps: spare room costs heap on every bucket, a copy costs only the insert that
      // grows.
      resize(Math.max(needed, ids.length + Math.max(2, ids.length >> 3)));
    }
  }

  void resize(int cap) {
    ids = Arrays.copyOf(ids, cap);
    vectors = Arrays.copyOf(vectors, cap * dim);
    norms = Arrays.copyOf(norms, cap);
    if (bars != null) {
      bars = Arrays.copyOf(bars, cap);
    }
    if (heads != null) {
      heads = Arrays.copyOf(heads, cap * head);
      tails = Arrays.copyOf(tails, cap);
    }
  }

  /** Number of points the arrays can hold without growing. */
  public int capacity() {
    return ids.length;
  }

  @Override
  public Bucket copy() {
    Bucket c = new Bucket(dim, capacity(), bars != null, head, parent);
    c.size = size;
    c.codes = codes;
    if (heads != null) {
      System.arraycopy(heads, 0, c.heads, 0, size * head);
      System.arraycopy(tails, 0, c.tails, 0, size);
    }
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
