package io.simjoin.operators.events;

/** Renders untrusted strings and vectors for toString and dead-letter messages. */
final class Text {

  /** Ids come from producers: a runaway id must not turn one log line into megabytes. */
  static final int MAX_STRING_CHARS = 200;

  /** Enough components to recognise a vector in a log line without printing all of it. */
  static final int MAX_VECTOR_COMPONENTS = 8;

  private Text() {}

  /** {@code 'abc'}, {@code null}, or a truncated {@code 'abc…'(12345 chars)}. */
  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    if (s.length() <= MAX_STRING_CHARS) {
      return "'" + s + "'";
    }
    return "'" + s.substring(0, MAX_STRING_CHARS) + "…'(" + s.length() + " chars)";
  }

  /** {@code null}, or {@code [3]{0.1, 0.2, 0.3}}, with at most the first few components. */
  static String vector(float[] v) {
    if (v == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder().append('[').append(v.length).append("]{");
    int shown = Math.min(v.length, MAX_VECTOR_COMPONENTS);
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(v[i]);
    }
    if (shown < v.length) {
      sb.append(", …");
    }
    return sb.append('}').toString();
  }
}
