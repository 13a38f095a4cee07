package io.simjoin.bench.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes the {@code .fvecs} / {@code .ivecs} formats of the TEXMEX corpora (SIFT1M,
 * GIST1M, ...): per vector a little-endian int32 dimension, then that many little-endian float32
 * (or int32) components.
 *
 * <p>Reading streams through a buffered channel straight into one contiguous array, so a file of a
 * few hundred megabytes loads at disk speed and needs no more heap than its floats.
 *
 * <pre>{@code
 * VectorSet base = Fvecs.read(Path.of("sift_base.fvecs"));
 * Fvecs.write(Path.of("copy.fvecs"), base);
 * Fvecs.writeIvecs(Path.of("ids.ivecs"), ids, queries, k); // ids: queries*k ints, row-major
 * }</pre>
 */
public final class Fvecs {
  private static final int BUFFER_BYTES = 1 << 20;

  private Fvecs() {}

  /** Reads every vector of an {@code .fvecs} file. */
  public static VectorSet read(Path file) throws IOException {
    return read(file, Integer.MAX_VALUE);
  }

  /**
   * Reads the first {@code maxRows} vectors (or all, if the file holds fewer).
   *
   * @throws IOException if the file is empty, truncated, or its vectors differ in dimension; the
   *     message names the file, the row and what was expected
   */
  public static VectorSet read(Path file, int maxRows) throws IOException {
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      Reader in = new Reader(file, ch);
      if (size == 0) {
        throw new IOException(file + ": empty file, expected at least one vector");
      }
      int d = in.readDimension(0, -1);
      long recordBytes = 4L + 4L * d;
      long rows = Math.min(size / recordBytes, maxRows);
      // Row 0 is read even when the file is shorter than one record: that reports the truncation.
      float[] data = new float[VectorSet.checkedSize(Math.max(rows, 1), d)];
      in.readFloats(data, 0, d, 0);
      for (int r = 1; r < rows; r++) {
        in.readDimension(r, d);
        in.readFloats(data, r * d, d, r);
      }
      if (rows < maxRows) {
        // The file may hold a partial or differently sized vector after the last whole record.
        in.expectEnd((int) rows, d);
      }
      return new VectorSet((int) rows, d, data);
    }
  }

  /**
   * Reads an {@code .ivecs} file (e.g. ground-truth neighbours); every row must share one width.
   */
  public static int[][] readIvecs(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size == 0) {
        return new int[0][];
      }
      Reader in = new Reader(file, ch);
      int d = in.readDimension(0, -1);
      long rows = size / (4L + 4L * d);
      if (rows > Integer.MAX_VALUE - 8) {
        throw new IOException(file + ": " + rows + " rows do not fit in an array");
      }
      int[][] out = new int[(int) Math.max(rows, 1)][d];
      in.readInts(out[0], 0, d, 0);
      for (int r = 1; r < rows; r++) {
        in.readDimension(r, d);
        in.readInts(out[r], 0, d, r);
      }
      in.expectEnd((int) rows, d);
      return out;
    }
  }

  /** Writes every row of {@code set}; the parent directory is created if missing. */
  public static void write(Path file, VectorSet set) throws IOException {
    write(file, set.data(), set.n(), set.d());
  }

  /** Writes {@code n} rows of {@code d} floats taken row-major from {@code data}. */
  public static void write(Path file, float[] data, int n, int d) throws IOException {
    checkShape(data.length, n, d);
    writeRows(file, n, d, (buf, off, m) -> buf.asFloatBuffer().put(data, off, m));
  }

  /**
   * Writes {@code n} rows of {@code d} ints taken row-major from {@code data} as {@code .ivecs}.
   */
  public static void writeIvecs(Path file, int[] data, int n, int d) throws IOException {
    checkShape(data.length, n, d);
    writeRows(file, n, d, (buf, off, m) -> buf.asIntBuffer().put(data, off, m));
  }

  /** Copies {@code m} 4-byte values from the caller's array at {@code off} into the buffer. */
  private interface RowChunk {
    void put(ByteBuffer buf, int off, int m);
  }

  /** Writes n rows of d 4-byte values (each row prefixed by d), in chunks that fit the buffer. */
  private static void writeRows(Path file, int n, int d, RowChunk chunk) throws IOException {
    try (Writer out = new Writer(file)) {
      for (int r = 0; r < n; r++) {
        out.putInt(d);
        int off = r * d;
        int left = d;
        while (left > 0) {
          int m = Math.min(left, out.room() / 4);
          if (m == 0) {
            out.flush();
            continue;
          }
          chunk.put(out.buf, off, m);
          out.buf.position(out.buf.position() + 4 * m);
          off += m;
          left -= m;
        }
      }
    }
  }

  private static void checkShape(int length, int n, int d) {
    if (n < 0 || d < 1 || (long) n * d != length) {
      throw new IllegalArgumentException(
          "expected n*d = " + n + "*" + d + " values, got " + length + " (d must be at least 1)");
    }
  }

  /** A little-endian cursor over a channel that knows where it is, for error messages. */
  private static final class Reader {
    private final Path file;
    private final FileChannel ch;
    private final ByteBuffer buf =
        ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN).flip();
    private boolean eof;

    Reader(Path file, FileChannel ch) {
      this.file = file;
      this.ch = ch;
    }

    /** Makes at least {@code bytes} (at most the buffer size) available unless the file ends. */
    private boolean ensure(int bytes) throws IOException {
      while (buf.remaining() < bytes && !eof) {
        buf.compact();
        if (ch.read(buf) < 0) {
          eof = true;
        }
        buf.flip();
      }
      return buf.remaining() >= bytes;
    }

    /** Reads row {@code row}'s dimension; {@code expected < 0} accepts any positive one (row 0). */
    int readDimension(int row, int expected) throws IOException {
      if (!ensure(4)) {
        throw new IOException(
            file
                + ": truncated at row "
                + row
                + ": expected a 4-byte dimension, found "
                + buf.remaining()
                + " bytes");
      }
      int dim = buf.getInt();
      if (expected < 0 && dim < 1) {
        throw new IOException(
            file + ": row " + row + " has dimension " + dim + ", expected a positive dimension");
      }
      if (expected >= 0 && dim != expected) {
        throw new IOException(
            file
                + ": row "
                + row
                + " has dimension "
                + dim
                + ", expected "
                + expected
                + " like row 0 (all vectors of one file must have the same dimension)");
      }
      return dim;
    }

    void readFloats(float[] dst, int off, int len, int row) throws IOException {
      int left = len;
      while (left > 0) {
        if (!ensure(4)) {
          throw truncated(row, len, len - left, buf.remaining());
        }
        int m = Math.min(left, buf.remaining() / 4);
        buf.asFloatBuffer().get(dst, off, m);
        buf.position(buf.position() + 4 * m);
        off += m;
        left -= m;
      }
    }

    void readInts(int[] dst, int off, int len, int row) throws IOException {
      int left = len;
      while (left > 0) {
        if (!ensure(4)) {
          throw truncated(row, len, len - left, buf.remaining());
        }
        int m = Math.min(left, buf.remaining() / 4);
        buf.asIntBuffer().get(dst, off, m);
        buf.position(buf.position() + 4 * m);
        off += m;
        left -= m;
      }
    }

    private IOException truncated(int row, int len, int got, int strayBytes) {
      return new IOException(
          file
              + ": truncated at row "
              + row
              + ": expected "
              + len
              + " components after its dimension, found "
              + got
              + (strayBytes > 0 ? " and " + strayBytes + " stray bytes" : ""));
    }

    /** After {@code rows} whole records: the file must end here. */
    void expectEnd(int rows, int d) throws IOException {
      if (!ensure(1)) {
        return;
      }
      // Reading the next record reports a wrong dimension or the exact point of truncation.
      readDimension(rows, d);
      long left = ch.size() - (ch.position() - buf.remaining());
      if (left >= 4L * d) {
        throw new IOException(file + ": unexpected bytes after row " + (rows - 1));
      }
      throw truncated(rows, d, (int) (left / 4), (int) (left % 4));
    }
  }

  private static final class Writer implements AutoCloseable {
    private final FileChannel ch;
    final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    Writer(Path file) throws IOException {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      ch =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
    }

    int room() {
      return buf.remaining();
    }

    void putInt(int v) throws IOException {
      if (buf.remaining() < 4) {
        flush();
      }
      buf.putInt(v);
    }

    void flush() throws IOException {
      buf.flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      buf.clear();
    }

    @Override
    public void close() throws IOException {
      try {
        flush();
      } finally {
        ch.close();
      }
    }
  }
}
