package io.simjoin.operators.events;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Input that was rejected, why, and what to fix: one element of the dead-letter stream. Bad input
 * never fails the job; it ends up here and is counted per {@link Reason}.
 *
 * <pre>{@code
 * DeadLetter d = DeadLetter.forItem(Reason.NON_FINITE_COMPONENT,
 *     "item 'sku-1' in namespace 'catalogue': component 3 of 64 is NaN; ...", item);
 * switch (d.subject()) {
 *   case ITEM -> d.item().orElseThrow();        // the rejected ItemEvent
 *   case QUERY -> d.query().orElseThrow();      // the rejected QueryEvent
 *   case RECORD -> d.record().orElseThrow();    // the bytes that could not be decoded
 * }
 * }</pre>
 *
 * <p>{@link io.simjoin.operators.validation.EventValidator} makes the dead letters for decoded
 * events; a decoder makes {@link #undecodable} ones. The {@link #message()} is for people: it says
 * what was wrong and what to change. The {@link #reason()} is for machines (metrics, routing) and
 * its constants are stable. {@code timestamp} is the rejected event's timestamp (for an undecodable
 * record: whatever timestamp the source had for it, such as the Kafka record's).
 */
@PublicEvolving
@TypeInfo(EventTypeInfo.DeadLetterFactory.class)
public final class DeadLetter {

  /**
   * Why input was rejected. The constant names are stable: metrics count per reason and consumers
   * may route on them. New reasons may be added.
   */
  public enum Reason {
    /** The record could not be decoded into an event (bad bytes, missing or unknown fields). */
    UNDECODABLE("the record could not be decoded"),
    /** The namespace is null or empty. */
    EMPTY_NAMESPACE("the namespace is missing or empty"),
    /** The item or query id is null or empty. */
    EMPTY_ID("the id is missing or empty"),
    /** An UPSERT, ONCE or REGISTER without a vector. */
    MISSING_VECTOR("the vector is missing"),
    /** A vector with no components. */
    EMPTY_VECTOR("the vector has no components"),
    /** More components than the configured maximum dimension. */
    DIMENSION_TOO_LARGE("the vector has more components than the configured maximum"),
    /** A NaN or infinite component. */
    NON_FINITE_COMPONENT("a vector component is NaN or infinite"),
    /** The vector's dimension differs from the namespace's, which its first item fixed. */
    DIMENSION_MISMATCH("the vector's dimension differs from the namespace's"),
    /** k is zero or negative. */
    K_NOT_POSITIVE("k is zero or negative"),
    /** k is above the configured maximum. */
    K_TOO_LARGE("k is above the configured maximum"),
    /** The threshold is NaN, which no score can pass. */
    THRESHOLD_NAN("the threshold is NaN"),
    /** A DELETE of an item the namespace does not hold. */
    UNKNOWN_ITEM("DELETE of an item that is not in the namespace"),
    /** A CANCEL of a query that is not registered. */
    UNKNOWN_QUERY("CANCEL of a query that is not registered"),
    /** A REGISTER that would exceed the configured number of standing queries per namespace. */
    TOO_MANY_STANDING_QUERIES("the namespace already has the maximum number of standing queries"),
    /** The namespace contains U+001F, which the operators' keys use as a separator. */
    INVALID_NAMESPACE("the namespace contains the reserved character U+001F");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    /** A short fixed description, the same for every dead letter with this reason. */
    public String description() {
      return description;
    }
  }

  /** What the dead letter carries. */
  public enum Subject {
    /** A decoded {@link ItemEvent}: see {@link #item()}. */
    ITEM,
    /** A decoded {@link QueryEvent}: see {@link #query()}. */
    QUERY,
    /** The raw bytes of a record that could not be decoded: see {@link #record()}. */
    RECORD
  }

  private static final int PREVIEW_BYTES = 64;

  private final Reason reason;
  private final String message;
  private final Subject subject;
  private final ItemEvent item;
  private final QueryEvent query;
  private final byte[] record;
  private final Origin recordOrigin;
  private final long timestamp;

  private DeadLetter(
      Reason reason,
      String message,
      Subject subject,
      ItemEvent item,
      QueryEvent query,
      byte[] record,
      Origin recordOrigin,
      long timestamp) {
    this.reason = reason;
    this.message = message;
    this.subject = subject;
    this.item = item;
    this.query = query;
    this.record = record;
    this.recordOrigin = recordOrigin;
    this.timestamp = timestamp;
  }

  /**
   * A rejected item event; the dead letter's timestamp is the item's.
   *
   * @param reason why; not {@link Reason#UNDECODABLE}, which is for raw records
   * @param message what was wrong and what to fix, for people
   * @param item the rejected event
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the message is empty or the reason is UNDECODABLE
   */
  public static DeadLetter forItem(Reason reason, String message, ItemEvent item) {
    checkEventReason(reason, message);
    Objects.requireNonNull(item, "DeadLetter.forItem: item is null");
    return new DeadLetter(reason, message, Subject.ITEM, item, null, null, null, item.timestamp());
  }

  /**
   * A rejected query event; the dead letter's timestamp is the query's.
   *
   * @param reason why; not {@link Reason#UNDECODABLE}, which is for raw records
   * @param message what was wrong and what to fix, for people
   * @param query the rejected event
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the message is empty or the reason is UNDECODABLE
   */
  public static DeadLetter forQuery(Reason reason, String message, QueryEvent query) {
    checkEventReason(reason, message);
    Objects.requireNonNull(query, "DeadLetter.forQuery: query is null");
    return new DeadLetter(
        reason, message, Subject.QUERY, null, query, null, null, query.timestamp());
  }

  /**
   * A record that could not be decoded, with reason {@link Reason#UNDECODABLE}.
   *
   * @param record the record's bytes, copied; null (a Kafka tombstone) is kept as empty
   * @param message what was wrong (the decoder's error, where the record came from) and what to fix
   * @param timestamp the record's timestamp, milliseconds since the epoch
   * @throws NullPointerException if message is null
   * @throws IllegalArgumentException if message is empty
   */
  public static DeadLetter undecodable(byte[] record, String message, long timestamp) {
    return undecodable(record, message, timestamp, null);
  }

  /**
   * A record that could not be decoded, with reason {@link Reason#UNDECODABLE}, and where it was
   * read.
   *
   * @param record the record's bytes, copied; null (a Kafka tombstone) is kept as empty
   * @param message what was wrong (the decoder's error) and what to fix
   * @param timestamp the record's timestamp, milliseconds since the epoch
   * @param origin the record's topic, partition and offset, or null if unknown
   * @throws NullPointerException if message is null
   * @throws IllegalArgumentException if message is empty
   */
  public static DeadLetter undecodable(
      byte[] record, String message, long timestamp, Origin origin) {
    checkMessage(message);
    byte[] copy = record == null ? new byte[0] : record.clone();
    return new DeadLetter(
        Reason.UNDECODABLE, message, Subject.RECORD, null, null, copy, origin, timestamp);
  }

  static DeadLetter trusted(
      Reason reason,
      String message,
      Subject subject,
      ItemEvent item,
      QueryEvent query,
      byte[] record,
      Origin recordOrigin,
      long timestamp) {
    return new DeadLetter(reason, message, subject, item, query, record, recordOrigin, timestamp);
  }

  private static void checkEventReason(Reason reason, String message) {
    Objects.requireNonNull(reason, "DeadLetter: reason is null");
    if (reason == Reason.UNDECODABLE) {
      throw new IllegalArgumentException(
          "DeadLetter: UNDECODABLE is for raw records; use DeadLetter.undecodable(bytes, ...)");
    }
    checkMessage(message);
  }

  private static void checkMessage(String message) {
    Objects.requireNonNull(message, "DeadLetter: message is null; say what was wrong");
    if (message.isEmpty()) {
      throw new IllegalArgumentException("DeadLetter: message is empty; say what was wrong");
    }
  }

  /** Why the input was rejected; stable, for metrics and routing. */
  public Reason reason() {
    return reason;
  }

  /** What was wrong and what to fix, for people. */
  public String message() {
    return message;
  }

  /** Whether this carries an item, a query or raw record bytes. */
  public Subject subject() {
    return subject;
  }

  /** The rejected item event, if the subject is {@link Subject#ITEM}. */
  public Optional<ItemEvent> item() {
    return Optional.ofNullable(item);
  }

  /** The rejected query event, if the subject is {@link Subject#QUERY}. */
  public Optional<QueryEvent> query() {
    return Optional.ofNullable(query);
  }

  /** A copy of the undecodable record's bytes, if the subject is {@link Subject#RECORD}. */
  public Optional<byte[]> record() {
    return record == null ? Optional.empty() : Optional.of(record.clone());
  }

  byte[] recordNoCopy() {
    return record;
  }

  /**
   * Where the rejected input was read: the origin of the item or query, or of the undecodable
   * record, if its decoder said.
   */
  public Optional<Origin> origin() {
    return switch (subject) {
      case ITEM -> item.origin();
      case QUERY -> query.origin();
      case RECORD -> Optional.ofNullable(recordOrigin);
    };
  }

  Origin recordOrigin() {
    return recordOrigin;
  }

  /** The rejected event's timestamp, milliseconds since the epoch. */
  public long timestamp() {
    return timestamp;
  }

  /**
   * The rejected input, readable: the event's {@code toString()}, or for a record its size and the
   * start of its content (as text if it is UTF-8, else as hex).
   */
  public String describeSubject() {
    return switch (subject) {
      case ITEM -> item.toString();
      case QUERY -> query.toString();
      case RECORD -> describeRecord(record);
    };
  }

  private static String describeRecord(byte[] bytes) {
    int shown = Math.min(bytes.length, PREVIEW_BYTES);
    String more = shown < bytes.length ? "…" : "";
    String text = printableUtf8(bytes);
    if (text != null) {
      return "record of " + bytes.length + " bytes: " + Text.quote(text);
    }
    StringBuilder sb = new StringBuilder("record of ").append(bytes.length).append(" bytes: 0x");
    for (int i = 0; i < shown; i++) {
      sb.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16))
          .append(Character.forDigit(bytes[i] & 0xf, 16));
    }
    return sb.append(more).toString();
  }

  /** The bytes as text if they are valid UTF-8 without control characters, else null. */
  private static String printableUtf8(byte[] bytes) {
    String s;
    try {
      s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
        return null;
      }
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof DeadLetter)) {
      return false;
    }
    DeadLetter d = (DeadLetter) o;
    return timestamp == d.timestamp
        && reason == d.reason
        && subject == d.subject
        && message.equals(d.message)
        && Objects.equals(item, d.item)
        && Objects.equals(query, d.query)
        && Objects.equals(recordOrigin, d.recordOrigin)
        && Arrays.equals(record, d.record);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hash(reason, message, subject, item, query, recordOrigin, timestamp)
        + Arrays.hashCode(record);
  }

  @Override
  public String toString() {
    return "DeadLetter{"
        + reason
        + ": "
        + message
        + " | "
        + describeSubject()
        + " timestamp="
        + timestamp
        + '}';
  }
}
