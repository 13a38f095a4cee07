package io.simjoin.state.flink;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Flink's {@link org.apache.flink.types.StringValue} string encoding, byte for byte, written and
 * read in bulk: a varint of length + 1 (0 for null), then each char as a little-endian base-128
 * varint, which for ASCII is the char itself.
 *
 * <p>Why not call {@code StringValue.writeString}/{@code readString}: they make one virtual call
 * per char and {@code readString} fetches a {@code ThreadLocal} buffer per string, which together
 * were a sixth of the join's CPU in a profile of {@code bench --e2e} (ids are short and many: every
 * partial top-k carries k of them). Here an ASCII string is one bulk write and one bulk read.
 * Because the bytes are the same, state and records written by either can be read by the other.
 *
 * <pre>{@code
 * StringValueCodec.write(id, out);
 * String id = StringValueCodec.read(in); // null if null was written
 * }</pre>
 */
public final class StringValueCodec {
  private static final int HIGH_BIT = 0x80;

  private StringValueCodec() {}

  /** Writes {@code s} (which may be null) as {@code StringValue.writeString} would. */
  public static void write(String s, DataOutput out) throws IOException {
    if (s == null) {
      out.write(0);
      return;
    }
    int len = s.length();
    if (len == Integer.MAX_VALUE) {
      throw new IllegalArgumentException("String is too long.");
    }
    writeVarint(len + 1, out);
    if (isAscii(s)) {
      out.write(s.getBytes(StandardCharsets.ISO_8859_1));
      return;
    }
    for (int i = 0; i < len; i++) {
      writeVarint(s.charAt(i), out);
    }
  }

  /** Reads a string written by {@link #write} or by {@code StringValue.writeString}. */
  public static String read(DataInput in) throws IOException {
    int len = readVarint(in.readUnsignedByte(), in);
    if (len == 0) {
      return null;
    }
    len -= 1;
    // Every char takes at least one byte, so the next len bytes all belong to this string.
    byte[] bytes = new byte[len];
    in.readFully(bytes);
    if (isAscii(bytes, len)) {
      return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
    }
    char[] chars = new char[len];
    int pos = 0;
    for (int i = 0; i < len; i++) {
      int first = pos < len ? bytes[pos++] & 0xff : in.readUnsignedByte();
      int c = first;
      if (first >= HIGH_BIT) {
        c = first & 0x7f;
        int shift = 7;
        int curr;
        while ((curr = pos < len ? bytes[pos++] & 0xff : in.readUnsignedByte()) >= HIGH_BIT) {
          c |= (curr & 0x7f) << shift;
          shift += 7;
        }
        c |= curr << shift;
      }
      chars[i] = (char) c;
    }
    return new String(chars);
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= HIGH_BIT) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAscii(byte[] b, int len) {
    for (int i = 0; i < len; i++) {
      if (b[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static void writeVarint(int v, DataOutput out) throws IOException {
    while (v >= HIGH_BIT) {
      out.write(v | HIGH_BIT);
      v >>>= 7;
    }
    out.write(v);
  }

  private static int readVarint(int first, DataInput in) throws IOException {
    if (first < HIGH_BIT) {
      return first;
    }
    int v = first & 0x7f;
    int shift = 7;
    int curr;
    while ((curr = in.readUnsignedByte()) >= HIGH_BIT) {
      v |= (curr & 0x7f) << shift;
      shift += 7;
    }
    return v | curr << shift;
  }
}
