package io.simjoin.operators.events;

import java.util.List;

/** Events covering the edges of every field: nulls, empty and huge strings, odd floats. */
final class Samples {

  /** Longer than writeUTF's 64 KB limit, with characters outside the BMP. */
  static final String HUGE = "ß€😀".repeat(30_000);

  private Samples() {}

  static ItemEvent[] items() {
    return new ItemEvent[] {
      ItemEvent.upsert("catalogue", "sku-1", new float[] {0.1f, -2.5f, 3e30f}, 1_700_000_000_000L),
      ItemEvent.delete("catalogue", "sku-1", 1L),
      ItemEvent.upsert("ns", "id", new float[0], 0L),
      ItemEvent.upsert(
          "ns",
          "odd",
          new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0.0f, Float.MIN_VALUE},
          -5L),
      ItemEvent.of(null, null, ItemEvent.Op.UPSERT, null, Long.MAX_VALUE),
      ItemEvent.of("", "", ItemEvent.Op.DELETE, null, Long.MIN_VALUE),
      ItemEvent.upsert(HUGE, HUGE, new float[4096], 7L),
    };
  }

  static QueryEvent[] queries() {
    float[] v = {1f, 2f, 3f};
    return new QueryEvent[] {
      QueryEvent.once("catalogue", "req-1", v, 10, 5L),
      QueryEvent.register("catalogue", "user-7", v, 1000, 6L),
      QueryEvent.register("catalogue", "user-7", v, 3, 6L).withThreshold(0.8f),
      QueryEvent.once("catalogue", "alert", v, 1, 6L).withThreshold(Float.NaN),
      QueryEvent.register("catalogue", "all", v, 1, 6L).withThreshold(Float.NEGATIVE_INFINITY),
      QueryEvent.cancel("catalogue", "user-7", 7L),
      QueryEvent.of(null, "", QueryEvent.Op.ONCE, null, -1, null, 0L),
      QueryEvent.of(HUGE, HUGE, QueryEvent.Op.REGISTER, new float[] {Float.NaN}, 0, -0.0f, 1L),
    };
  }

  static TopKUpdate[] updates() {
    return new TopKUpdate[] {
      TopKUpdate.of(
          "catalogue",
          "user-7",
          1L,
          List.of(new ScoredItem("sku-2", 0.91f), new ScoredItem("sku-9", 0.87f)),
          UpdateCause.registered(),
          10L),
      TopKUpdate.of(
          "catalogue",
          "user-7",
          2L,
          List.of(new ScoredItem("a", 1f), new ScoredItem("b", 1f), new ScoredItem("c", -1e30f)),
          UpdateCause.itemUpserted("b"),
          11L),
      TopKUpdate.of("catalogue", "user-7", 3L, List.of(), UpdateCause.itemDeleted("a"), 12L),
      TopKUpdate.of("ns", "req", 0L, List.of(new ScoredItem(HUGE, 0f)), UpdateCause.once(), 0L),
      TopKUpdate.of("ns", "q", Long.MAX_VALUE, List.of(), UpdateCause.cancelled(), -1L),
    };
  }

  static ThresholdMatch[] matches() {
    return new ThresholdMatch[] {
      ThresholdMatch.match("catalogue", "alert-3", "sku-2", 0.93f, 10L),
      ThresholdMatch.retraction("catalogue", "alert-3", "sku-2", 0.93f, 11L),
      ThresholdMatch.of("", "", "", Float.NEGATIVE_INFINITY, false, Long.MIN_VALUE),
      ThresholdMatch.match(HUGE, HUGE, HUGE, -0.0f, 0L),
    };
  }

  static DeadLetter[] deadLetters() {
    ItemEvent[] items = items();
    QueryEvent[] queries = queries();
    return new DeadLetter[] {
      DeadLetter.forItem(DeadLetter.Reason.NON_FINITE_COMPONENT, "component 0 is NaN", items[3]),
      DeadLetter.forItem(DeadLetter.Reason.EMPTY_NAMESPACE, "no namespace", items[4]),
      DeadLetter.forQuery(DeadLetter.Reason.K_NOT_POSITIVE, "k = -1", queries[6]),
      DeadLetter.forQuery(DeadLetter.Reason.UNKNOWN_QUERY, HUGE, queries[5]),
      DeadLetter.undecodable(new byte[] {0, 1, 2, (byte) 0xff}, "bad Avro", 3L),
      DeadLetter.undecodable(null, "tombstone on the items topic", 4L),
      DeadLetter.undecodable(new byte[100_000], "big", 5L),
    };
  }
}
