package io.simjoin.connectors.codec;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.Origin;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The JSON decoders of {@link JsonEventCodec}, one streaming pass per record. Input events keep
 * whatever content they carry (the validator judges it); only shape errors throw. Fields the
 * decoder does not know are skipped, so a newer producer's extra fields do no harm.
 */
final class JsonEventReader {

  static final String ITEM_EXAMPLE =
      "{\"namespace\":\"shop\",\"id\":\"sku-1\",\"op\":\"UPSERT\",\"vector\":[0.1,0.2]}";
  static final String QUERY_EXAMPLE =
      "{\"namespace\":\"shop\",\"id\":\"user-7\",\"op\":\"REGISTER\",\"vector\":[0.1,0.2],\"k\":10}";
  static final String UPDATE_EXAMPLE =
      "{\"namespace\":\"shop\",\"queryId\":\"user-7\",\"seq\":0,\"matches\":[{\"itemId\":\"sku-1\","
          + "\"score\":0.5}],\"cause\":\"REGISTERED\",\"causeItemId\":null,\"timestamp\":0}";
  static final String DEAD_LETTER_EXAMPLE =
      "{\"reason\":\"UNDECODABLE\",\"message\":\"…\",\"subject\":\"RECORD\",\"item\":null,"
          + "\"query\":null,\"record\":\"eyJ9\",\"topic\":\"items\",\"partition\":0,"
          + "\"offset\":17,\"timestamp\":0}";
  static final String ALERT_EXAMPLE =
      "{\"namespace\":\"shop\",\"queryId\":\"alert-3\",\"itemId\":\"sku-1\",\"score\":0.9,"
          + "\"retraction\":false,\"timestamp\":0}";

  private static final String TIMESTAMP_FIX =
      "write milliseconds since the epoch as an integer, like 1767225600000";
  private static final String STRING_ID_FIX = "write it as a JSON string in double quotes";

  private JsonEventReader() {}

  /** An item's fields; the timestamp is null when the record left it out. */
  record ItemFields(String namespace, String id, ItemEvent.Op op, float[] vector, Long timestamp) {
    ItemEvent event(long defaultTimestamp) {
      return ItemEvent.of(
          namespace, id, op, vector, timestamp == null ? defaultTimestamp : timestamp);
    }
  }

  /** A query's fields; the timestamp is null when the record left it out. */
  record QueryFields(
      String namespace,
      String id,
      QueryEvent.Op op,
      float[] vector,
      int k,
      Float threshold,
      Long timestamp) {
    QueryEvent event(long defaultTimestamp) {
      return QueryEvent.of(
          namespace,
          id,
          op,
          vector,
          k,
          threshold,
          timestamp == null ? defaultTimestamp : timestamp);
    }
  }

  static ItemEvent item(byte[] value, long recordTimestamp) throws DecodeException {
    try (JsonValueReader r = JsonValueReader.open(value, "item", ITEM_EXAMPLE)) {
      ItemFields f = itemFields(r, "");
      r.end();
      return f.event(recordTimestamp);
    }
  }

  static QueryEvent query(byte[] value, long recordTimestamp) throws DecodeException {
    try (JsonValueReader r = JsonValueReader.open(value, "query", QUERY_EXAMPLE)) {
      QueryFields f = queryFields(r, "");
      r.end();
      return f.event(recordTimestamp);
    }
  }

  /** The fields of the item object the reader is in, up to its end; {@code path} prefixes names. */
  static ItemFields itemFields(JsonValueReader r, String path) throws DecodeException {
    InputFields f = new InputFields();
    for (String field = r.nextField(); field != null; field = r.nextField()) {
      if (!f.read(r, path, field, ItemEvent.Op.values())) {
        r.skip();
      }
    }
    ItemEvent.Op op = f.op(r, path, ItemEvent.Op.values(), QueryEvent.Op.values(), "a query");
    return new ItemFields(f.namespace, f.id, op, f.vector, f.timestamp);
  }

  /** The fields of the query object the reader is in, up to its end. */
  static QueryFields queryFields(JsonValueReader r, String path) throws DecodeException {
    InputFields f = new InputFields();
    // A missing k reads 0, which the validator rejects as K_NOT_POSITIVE with the valid range.
    int k = 0;
    Float threshold = null;
    for (String field = r.nextField(); field != null; field = r.nextField()) {
      switch (field) {
        case "k" -> {
          if (!r.atNull()) {
            String fix = "write how many items the query wants as an integer, like 10";
            k = (int) r.wholeNumber(path + "k", Integer.MIN_VALUE, Integer.MAX_VALUE, fix);
          }
        }
        case "threshold" -> threshold = r.optionalNumber(path + "threshold");
        default -> {
          if (!f.read(r, path, field, QueryEvent.Op.values())) {
            r.skip();
          }
        }
      }
    }
    QueryEvent.Op op = f.op(r, path, QueryEvent.Op.values(), ItemEvent.Op.values(), "an item");
    return new QueryFields(f.namespace, f.id, op, f.vector, k, threshold, f.timestamp);
  }

  /** The fields items and queries share, as read so far. */
  private static final class InputFields {
    String namespace;
    String id;
    boolean hasOp;
    String op;
    float[] vector;
    Long timestamp;

    /** Reads the field if it is a shared one: false if it is not. */
    boolean read(JsonValueReader r, String path, String field, Enum<?>[] ops)
        throws DecodeException {
      switch (field) {
        case "namespace" -> namespace = r.string(path + "namespace", STRING_ID_FIX);
        case "id" -> id = r.string(path + "id", STRING_ID_FIX);
        case "op" -> {
          hasOp = true;
          op = r.string(path + "op", "write one of the strings " + ops(ops));
        }
        case "vector" -> vector = r.vector(path + "vector");
        case "timestamp" -> timestamp = optionalTimestamp(r, path);
        default -> {
          return false;
        }
      }
      return true;
    }

    /**
     * The op that was read. An op of the other input (a query op on the items topic) is unknown,
     * with a hint that the record went to the wrong topic.
     */
    <E extends Enum<E>> E op(
        JsonValueReader r, String path, E[] accepted, Enum<?>[] otherOps, String otherInput)
        throws DecodeException {
      String use = "use " + ops(accepted);
      if (!hasOp) {
        throw r.missing(path + "op", use);
      }
      if (op == null) {
        throw r.error(path + "op is null; " + use);
      }
      String hint = "";
      for (E e : accepted) {
        if (e.name().equals(op)) {
          return e;
        }
        if (e.name().equalsIgnoreCase(op)) {
          hint = " (ops are upper case: " + e.name() + ")";
        }
      }
      for (Enum<?> e : otherOps) {
        if (e.name().equals(op)) {
          hint = " (" + op + " is " + otherInput + " op: is this record on the wrong topic?)";
        }
      }
      throw r.error(path + "op \"" + op + "\" is unknown; " + use + hint);
    }
  }

  static TopKUpdate update(byte[] value) throws DecodeException {
    try (JsonValueReader r = JsonValueReader.open(value, "update", UPDATE_EXAMPLE)) {
      String namespace = null;
      String queryId = null;
      Long seq = null;
      List<ScoredItem> matches = null;
      String cause = null;
      String causeItemId = null;
      Long timestamp = null;
      for (String field = r.nextField(); field != null; field = r.nextField()) {
        switch (field) {
          case "namespace" -> namespace = r.requiredString("namespace");
          case "queryId" -> queryId = r.requiredString("queryId");
          case "seq" -> seq = r.wholeNumber("seq", 0, Long.MAX_VALUE, "write a count from 0 up");
          case "matches" -> matches = matches(r);
          case "cause" -> cause = r.requiredString("cause");
          case "causeItemId" -> causeItemId = r.string("causeItemId");
          case "timestamp" -> timestamp = requiredTimestamp(r);
          default -> r.skip();
        }
      }
      r.end();
      require(r, namespace, "namespace");
      require(r, queryId, "queryId");
      require(r, seq, "seq");
      require(r, matches, "matches");
      require(r, cause, "cause");
      require(r, timestamp, "timestamp");
      UpdateCause.Kind kind = constant(r, "cause", cause, UpdateCause.Kind.values());
      if (kind.hasItem() != (causeItemId != null)) {
        throw r.error(
            "causeItemId is "
                + (causeItemId == null ? "null" : '"' + causeItemId + '"')
                + " but a "
                + kind
                + " update "
                + (kind.hasItem() ? "names the item that caused it" : "has none: write null"));
      }
      try {
        return TopKUpdate.of(
            namespace, queryId, seq, matches, new UpdateCause(kind, causeItemId), timestamp);
      } catch (IllegalArgumentException e) {
        throw r.error(e.getMessage());
      }
    }
  }

  private static List<ScoredItem> matches(JsonValueReader r) throws DecodeException {
    String fix = "write the top-k as an array of {\"itemId\":…,\"score\":…} objects, best first";
    r.startArray("matches", fix);
    List<ScoredItem> matches = new ArrayList<>();
    while (r.nextInArray()) {
      String path = "matches[" + matches.size() + "]";
      r.startObject(path, fix);
      String itemId = null;
      Float score = null;
      for (String field = r.nextField(); field != null; field = r.nextField()) {
        switch (field) {
          case "itemId" -> itemId = r.requiredString(path + ".itemId");
          case "score" -> score = r.number(path + ".score");
          default -> r.skip();
        }
      }
      require(r, itemId, path + ".itemId");
      require(r, score, path + ".score");
      matches.add(new ScoredItem(itemId, score));
    }
    return matches;
  }

  static ThresholdMatch alert(byte[] value) throws DecodeException {
    try (JsonValueReader r = JsonValueReader.open(value, "alert", ALERT_EXAMPLE)) {
      String namespace = null;
      String queryId = null;
      String itemId = null;
      Float score = null;
      Boolean retraction = null;
      Long timestamp = null;
      for (String field = r.nextField(); field != null; field = r.nextField()) {
        switch (field) {
          case "namespace" -> namespace = r.requiredString("namespace");
          case "queryId" -> queryId = r.requiredString("queryId");
          case "itemId" -> itemId = r.requiredString("itemId");
          case "score" -> score = r.number("score");
          case "retraction" -> retraction = r.bool("retraction");
          case "timestamp" -> timestamp = requiredTimestamp(r);
          default -> r.skip();
        }
      }
      r.end();
      require(r, namespace, "namespace");
      require(r, queryId, "queryId");
      require(r, itemId, "itemId");
      require(r, score, "score");
      require(r, retraction, "retraction");
      require(r, timestamp, "timestamp");
      return ThresholdMatch.of(namespace, queryId, itemId, score, retraction, timestamp);
    }
  }

  static DeadLetter deadLetter(byte[] value) throws DecodeException {
    try (JsonValueReader r = JsonValueReader.open(value, "dead letter", DEAD_LETTER_EXAMPLE)) {
      String reason = null;
      String message = null;
      String subject = null;
      ItemFields item = null;
      QueryFields query = null;
      String record = null;
      String topic = null;
      Long partition = null;
      Long offset = null;
      Long timestamp = null;
      for (String field = r.nextField(); field != null; field = r.nextField()) {
        switch (field) {
          case "reason" -> reason = r.requiredString("reason");
          case "message" -> message = r.requiredString("message");
          case "subject" -> subject = r.requiredString("subject");
          case "item" -> item = r.atNull() ? null : nested(r, "item", JsonEventReader::itemFields);
          case "query" ->
              query = r.atNull() ? null : nested(r, "query", JsonEventReader::queryFields);
          case "record" -> record = r.string("record", "write the record's bytes in base64");
          case "topic" -> topic = r.string("topic");
          case "partition" ->
              partition = optionalWhole(r, "partition", Integer.MIN_VALUE, Integer.MAX_VALUE);
          case "offset" -> offset = optionalWhole(r, "offset", Long.MIN_VALUE, Long.MAX_VALUE);
          case "timestamp" -> timestamp = requiredTimestamp(r);
          default -> r.skip();
        }
      }
      r.end();
      require(r, reason, "reason");
      require(r, message, "message");
      require(r, subject, "subject");
      require(r, timestamp, "timestamp");
      // A rejected event's dead letter has the event's timestamp (DeadLetter.forItem); the
      // letter's own is only the default for an event that lacks one.
      DeadLetter.Reason why = constant(r, "reason", reason, DeadLetter.Reason.values());
      DeadLetter.Subject what = constant(r, "subject", subject, DeadLetter.Subject.values());
      Origin origin = origin(r, topic, partition, offset);
      try {
        return switch (what) {
          case ITEM -> {
            require(r, item, "item");
            yield DeadLetter.forItem(why, message, item.event(timestamp).withOrigin(origin));
          }
          case QUERY -> {
            require(r, query, "query");
            yield DeadLetter.forQuery(why, message, query.event(timestamp).withOrigin(origin));
          }
          case RECORD -> {
            require(r, record, "record");
            if (why != DeadLetter.Reason.UNDECODABLE) {
              throw r.error("reason is " + why + ", but a RECORD dead letter is UNDECODABLE");
            }
            yield DeadLetter.undecodable(base64(r, record), message, timestamp, origin);
          }
        };
      } catch (IllegalArgumentException e) {
        throw r.error(e.getMessage());
      }
    }
  }

  private interface FieldsReader<T> {
    T read(JsonValueReader r, String path) throws DecodeException;
  }

  /** An event object inside the record, its field names prefixed with {@code name.}. */
  private static <T> T nested(JsonValueReader r, String name, FieldsReader<T> fields)
      throws DecodeException {
    r.startObject(name, "write the rejected event as a JSON object, or null");
    return fields.read(r, name + ".");
  }

  private static Long optionalWhole(JsonValueReader r, String path, long min, long max)
      throws DecodeException {
    return r.atNull() ? null : r.wholeNumber(path, min, max, "write an integer, or null");
  }

  /** Where the rejected record was read: all three fields, or none. */
  private static Origin origin(JsonValueReader r, String topic, Long partition, Long offset)
      throws DecodeException {
    if (topic == null && partition == null && offset == null) {
      return null;
    }
    if (topic == null || partition == null || offset == null) {
      throw r.error(
          "topic, partition and offset are "
              + (topic == null ? "null" : '"' + topic + '"')
              + ", "
              + partition
              + " and "
              + offset
              + "; give all three (where the record was read) or none");
    }
    return new Origin(topic, partition.intValue(), offset);
  }

  private static byte[] base64(JsonValueReader r, String text) throws DecodeException {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw r.error(
          "record is not base64 (" + e.getMessage() + "); write the record's bytes in base64");
    }
  }

  /** The timestamp of an output record, which always has one. */
  private static long requiredTimestamp(JsonValueReader r) throws DecodeException {
    return r.wholeNumber("timestamp", Long.MIN_VALUE, Long.MAX_VALUE, TIMESTAMP_FIX);
  }

  /** A timestamp, or null for JSON null (the record's time then). */
  private static Long optionalTimestamp(JsonValueReader r, String path) throws DecodeException {
    if (r.atNull()) {
      return null;
    }
    return r.wholeNumber(
        path + "timestamp",
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        TIMESTAMP_FIX + ", or leave it out for the record's time");
  }

  /** Throws the "missing" error for a required field the record did not have. */
  static void require(JsonValueReader r, Object value, String path) throws DecodeException {
    if (value == null) {
      throw r.missing(path, "the record must have it");
    }
  }

  /** The enum constant named {@code text}, or an error listing the names. */
  static <E extends Enum<E>> E constant(JsonValueReader r, String path, String text, E[] values)
      throws DecodeException {
    for (E e : values) {
      if (e.name().equals(text)) {
        return e;
      }
    }
    throw r.error(path + " \"" + text + "\" is unknown; use one of " + ops(values));
  }

  /** "UPSERT or DELETE", "ONCE, REGISTER or CANCEL". */
  private static String ops(Enum<?>[] values) {
    List<String> names = Arrays.stream(values).map(Enum::name).collect(Collectors.toList());
    String last = names.remove(names.size() - 1);
    return names.isEmpty() ? last : String.join(", ", names) + " or " + last;
  }
}
