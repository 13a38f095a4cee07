package io.simjoin.bench.data;

import java.util.Arrays;

/**
 * {@code n} float32 vectors of dimension {@code d}, stored row-major in one contiguous array so
 * that a scan streams through memory and a kernel can score a block of rows in one call.
 *
 * <pre>{@code
 * VectorSet items = Fvecs.read(Path.of("sift_base.fvecs"));
 * float first = items.data()[items.offset(42)]; // component 0 of row 42, no copy
 * float[] row = items.row(42);                  // a copy, safe to hand to an index that keeps it
 * }</pre>
 */
public final class VectorSet {
  private final int n;
  private final int d;
  private final float[] data;

  /**
   * Wraps {@code data} (not copied) as {@code n} rows of {@code d} floats.
   *
   * @throws IllegalArgumentException if {@code d < 1}, {@code n < 0} or {@code data.length != n*d}
   */
  public VectorSet(int n, int d, float[] data) {
    if (d < 1) {
      throw new IllegalArgumentException("dimension must be at least 1, got " + d);
    }
    if (n < 0) {
      throw new IllegalArgumentException("row count must not be negative, got " + n);
    }
    if ((long) n * d != data.length) {
      throw new IllegalArgumentException(
          "expected n*d = " + n + "*" + d + " = " + (long) n * d + " floats, got " + data.length);
    }
    this.n = n;
    this.d = d;
    this.data = data;
  }

  /** An all-zero set, the shape every reader and generator fills in. */
  public static VectorSet zeros(int n, int d) {
    return new VectorSet(n, d, new float[checkedSize(n, d)]);
  }

  /**
   * {@code n*d} as an array length.
   *
   * @throws IllegalArgumentException when the set would not fit in one Java array
   */
  public static int checkedSize(long n, long d) {
    long size = n * d;
    if (n < 0 || d < 1 || size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "cannot hold "
              + n
              + " vectors of dimension "
              + d
              + " in one array: n*d must be below 2^31 (got "
              + size
              + ")");
    }
    return (int) size;
  }

  public int n() {
    return n;
  }

  public int d() {
    return d;
  }

  /** The backing array, row {@code i} at {@code [i*d, (i+1)*d)}; not a copy. */
  public float[] data() {
    return data;
  }

  /** Index of row {@code i}'s first component in {@link #data()}. */
  public int offset(int i) {
    return i * d;
  }

  /** A copy of row {@code i}. */
  public float[] row(int i) {
    if (i < 0 || i >= n) {
      throw new IndexOutOfBoundsException("row " + i + " of " + n);
    }
    return Arrays.copyOfRange(data, i * d, i * d + d);
  }

  /** Component {@code j} of row {@code i}. */
  public float get(int i, int j) {
    return data[i * d + j];
  }

  /** A new contiguous set holding the given rows, in the given order. */
  public VectorSet select(int[] rows) {
    float[] out = new float[checkedSize(rows.length, d)];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(data, rows[r] * d, out, r * d, d);
    }
    return new VectorSet(rows.length, d, out);
  }

  /** The first {@code count} rows (copied). */
  public VectorSet head(int count) {
    if (count < 0 || count > n) {
      throw new IndexOutOfBoundsException("head(" + count + ") of " + n + " rows");
    }
    return new VectorSet(count, d, Arrays.copyOf(data, count * d));
  }

  @Override
  public String toString() {
    return "VectorSet[n=" + n + ", d=" + d + "]";
  }
}
