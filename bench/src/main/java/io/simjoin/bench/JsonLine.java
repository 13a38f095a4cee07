package io.simjoin.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One flat JSON object, keys in insertion order, for a result line that scripts parse. Non-finite
 * numbers become {@code null} (JSON has no NaN); other doubles keep six significant digits.
 *
 * <pre>{@code
 * String line = new JsonLine().put("n", 1000).put("speedup", 3.5).put("exact", true).toString();
 * // {"n":1000,"speedup":3.5,"exact":true}
 * }</pre>
 */
public final class JsonLine {
  private final Map<String, String> fields = new LinkedHashMap<>();

  public JsonLine put(String key, long value) {
    fields.put(key, Long.toString(value));
    return this;
  }

  public JsonLine put(String key, double value) {
    fields.put(key, number(value));
    return this;
  }

  public JsonLine put(String key, boolean value) {
    fields.put(key, Boolean.toString(value));
    return this;
  }

  public JsonLine put(String key, String value) {
    fields.put(key, value == null ? "null" : quote(value));
    return this;
  }

  static String number(double v) {
    if (!Double.isFinite(v)) {
      return "null";
    }
    if (v == 0) {
      return "0";
    }
    return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(quote(e.getKey())).append(':').append(e.getValue());
    }
    return b.append('}').toString();
  }

  /**
   * The number of a top-level key in a JSON line this class wrote, or NaN if absent or null.
   *
   * <pre>{@code
   * double rate = JsonLine.readNumber(line, "items_per_s");
   * }</pre>
   */
  public static double readNumber(String json, String key) {
    String marker = quote(key) + ":";
    int at = json.indexOf(marker);
    if (at < 0) {
      return Double.NaN;
    }
    int from = at + marker.length();
    int to = from;
    while (to < json.length() && ",}".indexOf(json.charAt(to)) < 0) {
      to++;
    }
    String v = json.substring(from, to).trim();
    return v.equals("null") ? Double.NaN : Double.parseDouble(v);
  }
}
