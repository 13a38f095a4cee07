package io.simjoin.connectors.codec;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.DeadLetter.Reason;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.Origin;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Events at the edges of every field, and seeded random ones, for the Avro codec's tests. */
final class AvroSamples {

  /** Far beyond any small buffer, with characters outside the BMP. */
  static final String HUGE = "ß€😀\u0000".repeat(50_000);

  /** A quiet NaN with a payload: the bits must survive, not only "NaN". */
  static final float NAN_PAYLOAD = Float.intBitsToFloat(0x7fc0_1234);

  static final Origin ORIGIN = new Origin("items", 3, 1_234_567_890_123L);

  private AvroSamples() {}

  static List<ItemEvent> items() {
    return List.of(
        ItemEvent.upsert("shop", "sku-1", new float[] {0.1f, -2.5f, 3e30f}, 1_767_225_600_000L),
        ItemEvent.delete("shop", "sku-1", 1L),
        ItemEvent.upsert("ns", "empty", new float[0], 0L),
        ItemEvent.upsert(
            "ns",
            "odd",
            new float[] {
              NAN_PAYLOAD,
              Float.NaN,
              Float.POSITIVE_INFINITY,
              Float.NEGATIVE_INFINITY,
              -0.0f,
              Float.MIN_VALUE,
              Float.MAX_VALUE
            },
            -5L),
        ItemEvent.of("", "", ItemEvent.Op.UPSERT, null, Long.MAX_VALUE),
        ItemEvent.of("", "", ItemEvent.Op.DELETE, null, Long.MIN_VALUE),
        ItemEvent.upsert(HUGE, HUGE, new float[4096], 7L));
  }

  static List<QueryEvent> queries() {
    float[] v = {1f, -0.0f, NAN_PAYLOAD};
    return List.of(
        QueryEvent.once("shop", "req-1", v, 10, 5L),
        QueryEvent.register("shop", "user-7", v, 1000, 6L),
        QueryEvent.register("shop", "user-7", v, 3, 6L).withThreshold(0.8f),
        QueryEvent.once("shop", "alert", v, 1, 6L).withThreshold(Float.NaN),
        QueryEvent.register("shop", "all", v, 1, 6L).withThreshold(-0.0f),
        QueryEvent.cancel("shop", "user-7", 7L),
        QueryEvent.of("", "", QueryEvent.Op.ONCE, null, -1, null, 0L),
        QueryEvent.of("ns", "zero", QueryEvent.Op.REGISTER, new float[0], 0, null, 0L),
        QueryEvent.of(HUGE, HUGE, QueryEvent.Op.REGISTER, new float[] {Float.NaN}, 0, -0.0f, 1L));
  }

  static List<TopKUpdate> updates() {
    return List.of(
        TopKUpdate.of(
            "shop",
            "user-7",
            1L,
            List.of(new ScoredItem("sku-2", 0.91f), new ScoredItem("sku-9", 0.87f)),
            UpdateCause.registered(),
            10L),
        TopKUpdate.of(
            "shop",
            "user-7",
            2L,
            List.of(new ScoredItem("a", 1f), new ScoredItem("b", 1f), new ScoredItem("c", -0.0f)),
            UpdateCause.itemUpserted("b"),
            11L),
        TopKUpdate.of("shop", "user-7", 3L, List.of(), UpdateCause.itemDeleted("a"), 12L),
        TopKUpdate.of("ns", "req", 0L, List.of(new ScoredItem(HUGE, 0f)), UpdateCause.once(), 0L),
        TopKUpdate.of("ns", "q", Long.MAX_VALUE, List.of(), UpdateCause.cancelled(), -1L));
  }

  static List<ThresholdMatch> alerts() {
    return List.of(
        ThresholdMatch.match("shop", "alert-3", "sku-2", 0.93f, 10L),
        ThresholdMatch.retraction("shop", "alert-3", "sku-2", 0.93f, 11L),
        ThresholdMatch.of("", "", "", Float.NEGATIVE_INFINITY, false, Long.MIN_VALUE),
        ThresholdMatch.match(HUGE, HUGE, HUGE, NAN_PAYLOAD, 0L));
  }

  /** Every subject, each with and without an origin. */
  static List<DeadLetter> deadLetters() {
    ItemEvent item = items().get(3);
    QueryEvent query = queries().get(6);
    QueryEvent cancel = queries().get(5);
    byte[] garbage = {0x7b, (byte) 0xC3, 0x00, (byte) 0xff};
    return List.of(
        DeadLetter.forItem(Reason.NON_FINITE_COMPONENT, "component 0 is NaN", item),
        DeadLetter.forItem(Reason.DIMENSION_MISMATCH, "7 != 64", item.withOrigin(ORIGIN)),
        DeadLetter.forItem(Reason.UNKNOWN_ITEM, HUGE, items().get(1)),
        DeadLetter.forQuery(Reason.K_NOT_POSITIVE, "k = -1", query),
        DeadLetter.forQuery(
            Reason.UNKNOWN_QUERY, "no such query", cancel.withOrigin(new Origin("q", 0, 0L))),
        DeadLetter.undecodable(garbage, "not Avro", 99L),
        DeadLetter.undecodable(null, "a tombstone without a key", 100L, ORIGIN),
        DeadLetter.undecodable(new byte[70_000], HUGE, Long.MIN_VALUE, ORIGIN));
  }

  // ---- seeded random events ----

  static String string(Random r) {
    int n = r.nextInt(4) == 0 ? r.nextInt(300) : r.nextInt(12);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.appendCodePoint(
          switch (r.nextInt(4)) {
            case 0 -> 0x1F600 + r.nextInt(50);
            case 1 -> 0x00C0 + r.nextInt(200);
            default -> 'a' + r.nextInt(26);
          });
    }
    return sb.toString();
  }

  static float anyFloat(Random r) {
    return switch (r.nextInt(10)) {
      case 0 -> Float.intBitsToFloat(r.nextInt()); // any bit pattern, NaN payloads included
      case 1 -> -0.0f;
      default -> (float) r.nextGaussian();
    };
  }

  static float[] vector(Random r) {
    float[] v = new float[r.nextInt(5) == 0 ? r.nextInt(3) : 1 + r.nextInt(130)];
    for (int i = 0; i < v.length; i++) {
      v[i] = anyFloat(r);
    }
    return v;
  }

  static long timestamp(Random r) {
    return r.nextInt(8) == 0 ? r.nextLong() : 1_767_225_600_000L + r.nextInt(1_000_000);
  }

  static ItemEvent item(Random r) {
    ItemEvent.Op op = r.nextInt(3) == 0 ? ItemEvent.Op.DELETE : ItemEvent.Op.UPSERT;
    float[] v = r.nextInt(10) == 0 ? null : vector(r);
    return ItemEvent.of(string(r), string(r), op, v, timestamp(r));
  }

  static QueryEvent query(Random r) {
    QueryEvent.Op op = QueryEvent.Op.values()[r.nextInt(3)];
    Float threshold = r.nextBoolean() ? null : anyFloat(r);
    int k = r.nextInt(10) == 0 ? r.nextInt() : 1 + r.nextInt(1000);
    return QueryEvent.of(string(r), string(r), op, vector(r), k, threshold, timestamp(r));
  }

  static TopKUpdate update(Random r) {
    List<ScoredItem> matches = new ArrayList<>();
    UpdateCause.Kind kind = UpdateCause.Kind.values()[r.nextInt(UpdateCause.Kind.values().length)];
    if (kind != UpdateCause.Kind.CANCELLED) {
      for (int i = r.nextInt(20); i > 0; i--) {
        matches.add(new ScoredItem(string(r), r.nextInt(5) == 0 ? 0.5f : anyFloat(r)));
      }
    }
    matches.sort(ScoredItem.BEST_FIRST);
    for (int i = matches.size() - 1; i > 0; i--) {
      if (ScoredItem.BEST_FIRST.compare(matches.get(i - 1), matches.get(i)) == 0) {
        matches.remove(i);
      }
    }
    UpdateCause cause = new UpdateCause(kind, kind.hasItem() ? string(r) : null);
    return TopKUpdate.of(
        string(r), string(r), r.nextLong() & Long.MAX_VALUE, matches, cause, timestamp(r));
  }

  static ThresholdMatch alert(Random r) {
    return ThresholdMatch.of(
        string(r), string(r), string(r), anyFloat(r), r.nextBoolean(), timestamp(r));
  }

  static DeadLetter deadLetter(Random r) {
    Origin origin = r.nextBoolean() ? null : new Origin(string(r), r.nextInt(), r.nextLong());
    String message = "m" + string(r);
    return switch (r.nextInt(3)) {
      case 0 -> DeadLetter.forItem(reason(r), message, item(r).withOrigin(origin));
      case 1 -> DeadLetter.forQuery(reason(r), message, query(r).withOrigin(origin));
      default -> {
        byte[] bytes = new byte[r.nextInt(200)];
        r.nextBytes(bytes);
        yield DeadLetter.undecodable(bytes, message, timestamp(r), origin);
      }
    };
  }

  private static Reason reason(Random r) {
    Reason[] rs = Reason.values();
    return rs[1 + r.nextInt(rs.length - 1)]; // UNDECODABLE is for raw records only
  }
}
