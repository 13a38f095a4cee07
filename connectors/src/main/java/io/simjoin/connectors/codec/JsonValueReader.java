package io.simjoin.connectors.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Arrays;

/**
 * Reads one record's JSON object with a streaming parser, value by value, and turns every shape
 * error into a {@link DecodeException} that names the record kind and the field path and says what
 * to write instead. The typed readers are called right after the parser has moved to the value.
 */
final class JsonValueReader implements AutoCloseable {

  /**
   * Thread-safe; every parser it makes reads NaN, Infinity and -Infinity as numbers (so that a NaN
   * component reaches the validator and gets its own dead-letter reason) and rejects a field given
   * twice (silently keeping one of two ids would route the event to the wrong place).
   */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private static final int SHOWN_CHARS = 40;

  private final JsonParser p;
  private final String kind;
  private final String example;

  private JsonValueReader(JsonParser p, String kind, String example) {
    this.p = p;
    this.kind = kind;
    this.example = example;
  }

  /**
   * A reader positioned on the record's opening brace.
   *
   * @param kind the record kind for messages ({@code item}, {@code dead letter})
   * @param example a valid record of that kind, shown when the bytes are not such an object
   */
  static JsonValueReader open(byte[] value, String kind, String example) throws DecodeException {
    if (value == null) {
      throw new DecodeException(
          kind
              + " record: the record has no value (a tombstone); send a JSON object like "
              + example);
    }
    JsonValueReader r;
    try {
      r = new JsonValueReader(JSON.createParser(value), kind, example);
    } catch (IOException e) {
      throw new DecodeException(kind + " record: could not be read: " + e, e);
    }
    JsonToken first;
    try {
      first = r.next();
    } catch (DecodeException e) {
      r.close();
      throw e;
    }
    if (first != JsonToken.START_OBJECT) {
      r.close();
      String found = first == null ? "is empty" : "is " + describe(first) + ", not a JSON object";
      throw new DecodeException(
          kind + " record " + found + "; send one JSON object per record, like " + example);
    }
    return r;
  }

  /**
   * Moves to the next field of the current object and returns its name, with the parser on its
   * value; null at the object's end.
   */
  String nextField() throws DecodeException {
    if (next() != JsonToken.FIELD_NAME) {
      return null;
    }
    String name;
    try {
      name = p.currentName();
    } catch (IOException e) {
      throw notJson(e);
    }
    next();
    return name;
  }

  /** Skips the current value (an unknown field's: readers ignore fields they do not know). */
  void skip() throws DecodeException {
    try {
      p.skipChildren();
    } catch (IOException e) {
      throw notJson(e);
    }
  }

  /** Checks that nothing but whitespace follows the record's object. */
  void end() throws DecodeException {
    JsonToken after;
    try {
      after = p.nextToken();
    } catch (IOException e) {
      throw new DecodeException(
          kind
              + " record: trailing data after the object (not JSON); send exactly one JSON"
              + " object per record",
          e);
    }
    if (after != null) {
      throw new DecodeException(
          kind
              + " record: trailing data after the object ("
              + describe(after)
              + "); send exactly one JSON object per record");
    }
  }

  boolean atNull() {
    return p.currentToken() == JsonToken.VALUE_NULL;
  }

  /** A string, or null for JSON null. */
  String string(String path) throws DecodeException {
    return string(path, "write it in double quotes");
  }

  /**
   * A string, or null for JSON null.
   *
   * @param fix what to write instead of another type, for the message
   */
  String string(String path, String fix) throws DecodeException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> text();
      case VALUE_NULL -> null;
      default -> throw wrongType(path, "a string", fix);
    };
  }

  /** A string that must be present and not null. */
  String requiredString(String path) throws DecodeException {
    String s = string(path);
    if (s == null) {
      throw error(path + " is null; it must be a string");
    }
    return s;
  }

  /** true or false. */
  boolean bool(String path) throws DecodeException {
    return switch (p.currentToken()) {
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      default -> throw wrongType(path, "true or false", "write true or false without quotes");
    };
  }

  /**
   * A float32, rounded once from the decimal: a number beyond float range is infinite, and the
   * tokens NaN, Infinity and -Infinity are read as such. Going through a double first would round
   * twice and miss some floats' shortest form (7.038531E-26 would read one ulp too high).
   */
  float number(String path) throws DecodeException {
    JsonToken t = p.currentToken();
    if (t == null || !t.isNumeric()) {
      throw wrongType(path, "a number", "write it as a JSON number without quotes, like 0.25");
    }
    try {
      float f = p.getFloatValue();
      // Jackson reads the integer -0 as 0; a sign the producer wrote is kept.
      if (f == 0 && t == JsonToken.VALUE_NUMBER_INT && text().startsWith("-")) {
        return -0.0f;
      }
      return f;
    } catch (IOException e) {
      throw notJson(e);
    }
  }

  /** A float32 ({@link #number}), or null for JSON null. */
  Float optionalNumber(String path) throws DecodeException {
    return atNull() ? null : number(path);
  }

  /** A JSON array of float32 components, or null for JSON null. */
  float[] vector(String path) throws DecodeException {
    if (atNull()) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw wrongType(path, "an array", "write the components as a JSON array, like [0.1, 0.2]");
    }
    float[] v = new float[16];
    int n = 0;
    while (next() != JsonToken.END_ARRAY) {
      if (n == v.length) {
        v = Arrays.copyOf(v, 2 * n);
      }
      v[n] = number(path + "[" + n + "]");
      n++;
    }
    return n == v.length ? v : Arrays.copyOf(v, n);
  }

  /** Checks that the current value is an array; {@link #nextInArray} then walks it. */
  void startArray(String path, String fix) throws DecodeException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw wrongType(path, "an array", fix);
    }
  }

  /** Moves to the array's next element: false at its end. */
  boolean nextInArray() throws DecodeException {
    return next() != JsonToken.END_ARRAY;
  }

  /** Checks that the current value is an object; {@link #nextField} then walks it. */
  void startObject(String path, String fix) throws DecodeException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw wrongType(path, "an object", fix);
    }
  }

  /**
   * A whole number in [min, max]: 10, 10.0 and 1e1 are all ten, 10.5 is fractional.
   *
   * @param fix what to write instead, for the message
   */
  long wholeNumber(String path, long min, long max, String fix) throws DecodeException {
    JsonToken t = p.currentToken();
    if (t == null || !t.isNumeric()) {
      throw wrongType(path, "a whole number", fix);
    }
    String shown = show(text());
    try {
      if (p.isNaN()) {
        throw error(path + " is " + shown + ", not a whole number; " + fix);
      }
      BigDecimal d = p.getDecimalValue();
      long v;
      try {
        v = d.longValueExact();
      } catch (ArithmeticException e) {
        if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
          throw error(path + " is " + shown + ", which is not a whole number; " + fix);
        }
        throw error(path + " is " + shown + ", which is out of range; " + fix);
      }
      if (v < min || v > max) {
        throw error(path + " is " + shown + ", which is out of range; " + fix);
      }
      return v;
    } catch (NumberFormatException e) {
      throw error(path + " is " + shown + ", which cannot be read as a whole number; " + fix);
    } catch (JsonProcessingException e) {
      throw error(path + " is " + shown + ", which is out of range; " + fix);
    } catch (IOException e) {
      throw notJson(e);
    }
  }

  /** A decode error about this record. */
  DecodeException error(String problem) {
    return new DecodeException(kind + " record: " + problem);
  }

  /** A decode error for a field that is missing. */
  DecodeException missing(String path, String fix) {
    return error(path + " is missing; " + fix);
  }

  private DecodeException wrongType(String path, String expected, String fix) {
    JsonToken t = p.currentToken();
    String found = describe(t);
    if (t == JsonToken.VALUE_STRING) {
      found += " (" + show(safeText()) + ")";
    }
    return error(path + " is " + found + ", not " + expected + "; " + fix);
  }

  private JsonToken next() throws DecodeException {
    try {
      return p.nextToken();
    } catch (IOException e) {
      throw notJson(e);
    }
  }

  private String text() throws DecodeException {
    try {
      return p.getText();
    } catch (IOException e) {
      throw notJson(e);
    }
  }

  private String safeText() {
    try {
      return p.getText();
    } catch (IOException e) {
      return "?";
    }
  }

  private DecodeException notJson(IOException e) {
    String duplicate = "Duplicate field '";
    if (e instanceof JsonProcessingException j && j.getOriginalMessage().startsWith(duplicate)) {
      String name = j.getOriginalMessage().substring(duplicate.length()).replaceFirst("'$", "");
      return new DecodeException(
          kind + " record: field \"" + name + "\" is given twice; give each field once", e);
    }
    String detail =
        e instanceof JsonProcessingException j
            ? j.getOriginalMessage()
                + (j.getLocation() == null ? "" : " at column " + j.getLocation().getColumnNr())
            : e.toString();
    return new DecodeException(
        kind + " record is not valid JSON (" + detail + "); send a JSON object like " + example, e);
  }

  /** A value cut short for a message, quoted if it is a string token. */
  private String show(String s) {
    String cut = s.length() > SHOWN_CHARS ? s.substring(0, SHOWN_CHARS) + "…" : s;
    return p.currentToken() == JsonToken.VALUE_STRING ? '"' + cut + '"' : cut;
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "missing";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE -> "true";
      case VALUE_FALSE -> "false";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
    };
  }

  @Override
  public void close() {
    try {
      p.close();
    } catch (IOException e) {
      // A parser over a byte array holds nothing that could fail to close.
    }
  }
}
