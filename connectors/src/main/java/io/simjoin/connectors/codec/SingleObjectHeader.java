package io.simjoin.connectors.codec;

import java.util.Locale;

/**
 * The header of Avro's single-object encoding ({@code C3 01} and the writer schema's 64-bit
 * CRC-64-AVRO fingerprint, little-endian), and what to tell a producer whose values lack it.
 */
final class SingleObjectHeader {

  /** Marker and fingerprint: the body starts here. */
  static final int LENGTH = 10;

  private static final int PREVIEW = 16;

  private SingleObjectHeader() {}

  /**
   * The fingerprint the value's header names.
   *
   * @param expected what the value should have been, for the messages; null for any of the five
   * @throws DecodeException if the value is null, lacks the marker or is shorter than the header
   */
  static long fingerprint(byte[] value, AvroEventCodec.RecordType expected) throws DecodeException {
    if (value != null && value.length >= LENGTH && value[0] == (byte) 0xC3 && value[1] == 0x01) {
      long fp = 0;
      for (int i = LENGTH - 1; i >= 2; i--) {
        fp = (fp << 8) | (value[i] & 0xff);
      }
      return fp;
    }
    // The message is built only for a value that fails: this runs once per record.
    String wanted =
        expected == null
            ? "a simjoin Avro record"
            : "an Avro single-object encoded " + expected.recordName();
    if (value == null) {
      throw new DecodeException("the record has no value (a tombstone), not " + wanted);
    }
    boolean marker = value.length >= 2 && value[0] == (byte) 0xC3 && value[1] == (byte) 0x01;
    if (!marker) {
      throw new DecodeException(
          "not Avro single-object encoding: "
              + wanted
              + " starts with C3 01 and an 8-byte schema fingerprint, but this value "
              + preview(value)
              + hint(value));
    }
    if (value.length < LENGTH) {
      throw new DecodeException(
          "truncated Avro single-object header: "
              + value.length
              + " bytes, but the marker C3 01 and the 8-byte schema fingerprint take "
              + LENGTH);
    }
    throw new AssertionError("unreachable: the header was valid");
  }

  /** A fingerprint as people and tools print it: {@code 0x1e3a94caacf3b589}. */
  static String hex(long fingerprint) {
    return String.format(Locale.ROOT, "0x%016x", fingerprint);
  }

  private static String preview(byte[] value) {
    if (value.length == 0) {
      return "is empty";
    }
    StringBuilder sb = new StringBuilder("(" + value.length + " bytes) starts with");
    for (int i = 0; i < Math.min(PREVIEW, value.length); i++) {
      sb.append(String.format(Locale.ROOT, " %02X", value[i] & 0xff));
    }
    return sb.append(value.length > PREVIEW ? " …" : "").toString();
  }

  /** The two mistakes seen most: JSON to an Avro job, a schema registry's framing. */
  private static String hint(byte[] value) {
    if (value.length > 0 && (value[0] == '{' || value[0] == '[')) {
      return "; it looks like JSON: run the job with --format json, or produce Avro";
    }
    if (value.length >= 5 && value[0] == 0) {
      return "; it looks like a schema registry's framing (a 0 byte and a schema id), which"
          + " simjoin does not read: produce single-object encoded values";
    }
    return "";
  }
}
