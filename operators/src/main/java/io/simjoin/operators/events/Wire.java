package io.simjoin.operators.events;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/** Field encodings shared by the event serializers. */
final class Wire {

  private static final int NULL_VECTOR = -1;

  private Wire() {}

  /**
   * Flink's variable-length string encoding: no 64 KB limit (unlike {@code writeUTF}) and null is
   * one byte, so the nullable input fields need no extra flag.
   */
  static void writeString(String s, DataOutputView out) throws IOException {
    StringValue.writeString(s, out);
  }

  static String readString(DataInputView in) throws IOException {
    return StringValue.readString(in);
  }

  static void writeVector(float[] v, DataOutputView out) throws IOException {
    if (v == null) {
      out.writeInt(NULL_VECTOR);
      return;
    }
    out.writeInt(v.length);
    // Raw bits: a rejected vector reaches the dead letters with its NaN payloads as sent.
    for (float x : v) {
      out.writeInt(Float.floatToRawIntBits(x));
    }
  }

  static float[] readVector(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n == NULL_VECTOR) {
      return null;
    }
    if (n < 0) {
      throw new IOException("Corrupt record: vector length " + n);
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = Float.intBitsToFloat(in.readInt());
    }
    return v;
  }

  /** An optional {@link Origin}: a presence byte, then topic, partition and offset. */
  static void writeOrigin(Origin origin, DataOutputView out) throws IOException {
    out.writeBoolean(origin != null);
    if (origin != null) {
      writeString(origin.topic(), out);
      out.writeInt(origin.partition());
      out.writeLong(origin.offset());
    }
  }

  static Origin readOrigin(DataInputView in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    String topic = readString(in);
    if (topic == null) {
      throw new IOException("Corrupt record: origin without a topic");
    }
    return new Origin(topic, in.readInt(), in.readLong());
  }

  /** Enum codes are part of the format: an unknown one is corruption or a newer writer. */
  static IOException unknownCode(String what, int code) {
    return new IOException(
        "Corrupt record or newer format: unknown " + what + " code " + code + ".");
  }
}
