package io.simjoin.state.flink;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Float blocks to and from Flink's data views, in the big-endian order of {@link
 * DataOutput#writeFloat} but through a byte buffer: a bucket holds thousands of floats, and one
 * {@code write(byte[])} per chunk costs far less than one virtual {@code writeFloat} per value. Raw
 * bits are kept, so every value (signed zeros, infinities) round-trips exactly.
 */
final class FloatBlocks {
  private static final VarHandle FLOAT =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.BIG_ENDIAN);

  /** Most bytes converted per chunk: big enough to amortise the call, small enough to allocate. */
  private static final int CHUNK_BYTES = 16 * 1024;

  private FloatBlocks() {}

  /** A scratch buffer for blocks of up to {@code floats} values (at most one chunk). */
  static byte[] scratch(int floats) {
    return new byte[Math.max(4, Math.min(CHUNK_BYTES, floats * 4))];
  }

  static void write(DataOutput out, float[] a, int off, int len, byte[] scratch)
      throws IOException {
    int per = scratch.length / 4;
    while (len > 0) {
      int n = Math.min(per, len);
      for (int i = 0; i < n; i++) {
        FLOAT.set(scratch, i * 4, a[off + i]);
      }
      out.write(scratch, 0, n * 4);
      off += n;
      len -= n;
    }
  }

  static void read(DataInput in, float[] a, int off, int len, byte[] scratch) throws IOException {
    int per = scratch.length / 4;
    while (len > 0) {
      int n = Math.min(per, len);
      in.readFully(scratch, 0, n * 4);
      for (int i = 0; i < n; i++) {
        a[off + i] = (float) FLOAT.get(scratch, i * 4);
      }
      off += n;
      len -= n;
    }
  }
}
