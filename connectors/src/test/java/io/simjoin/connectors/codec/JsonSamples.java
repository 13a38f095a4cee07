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
import java.util.stream.Stream;

/** Events at the edges of every field, and seeded random ones, for the JSON codec's round trips. */
final class JsonSamples {

  /**
   * Quotes, backslashes, control characters, a slash, non-Latin text, an emoji, a lone surrogate.
   */
  static final String ODD = "q\"u\\o/te\n\t\u0000\u001f ß€ 日本 😀 \uD800 end";

  private static final String PUNCTUATION = "\"\\/{}[]:,\n\t\u0001";

  static final float[] ODD_FLOATS = {
    -0.0f,
    0.0f,
    Float.MIN_VALUE,
    -Float.MIN_VALUE,
    Float.MIN_NORMAL,
    Float.MAX_VALUE,
    -Float.MAX_VALUE,
    0.1f,
    1e-10f,
    3e30f,
    // its shortest decimal, 7.038531E-26, read as a double and then narrowed is one ulp too high
    Float.intBitsToFloat(0x15ae43fd),
  };

  private JsonSamples() {}

  static Stream<ItemEvent> items() {
    Random random = new Random(42);
    List<ItemEvent> items = new ArrayList<>();
    items.add(ItemEvent.upsert("shop", "sku-1", new float[] {0.1f, 0.2f}, 1_767_225_600_000L));
    items.add(ItemEvent.delete("shop", "sku-1", 1L));
    items.add(ItemEvent.upsert("shop", "empty", new float[0], 0L));
    items.add(ItemEvent.upsert("shop", "odd-floats", ODD_FLOATS, -5L));
    items.add(
        ItemEvent.upsert(
            "shop",
            "non-finite",
            new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY},
            Long.MAX_VALUE));
    items.add(ItemEvent.of(null, null, ItemEvent.Op.UPSERT, null, Long.MIN_VALUE));
    items.add(ItemEvent.of("", "", ItemEvent.Op.DELETE, null, 0L));
    items.add(ItemEvent.upsert(ODD, ODD, new float[] {1f}, 7L));
    for (int i = 0; i < 200; i++) {
      items.add(
          random.nextInt(5) == 0
              ? ItemEvent.delete(randomId(random), randomId(random), random.nextLong())
              : ItemEvent.upsert(
                  randomId(random),
                  randomId(random),
                  randomVector(random, random.nextInt(70)),
                  random.nextLong()));
    }
    return items.stream();
  }

  static Stream<QueryEvent> queries() {
    Random random = new Random(43);
    float[] v = {1f, 2f, 3f};
    List<QueryEvent> queries = new ArrayList<>();
    queries.add(QueryEvent.once("shop", "req-1", v, 10, 5L));
    queries.add(QueryEvent.register("shop", "user-7", v, 1000, 6L));
    queries.add(QueryEvent.register("shop", "user-7", v, 3, 6L).withThreshold(0.8f));
    queries.add(QueryEvent.once("shop", "alert", v, 1, 6L).withThreshold(Float.NaN));
    queries.add(QueryEvent.register("shop", "all", v, 1, 6L).withThreshold(-0.0f));
    queries.add(
        QueryEvent.register("shop", "inf", ODD_FLOATS, 1, 6L)
            .withThreshold(Float.NEGATIVE_INFINITY));
    queries.add(QueryEvent.cancel("shop", "user-7", 7L));
    queries.add(QueryEvent.of(null, "", QueryEvent.Op.ONCE, null, -1, null, 0L));
    queries.add(
        QueryEvent.of(
            ODD,
            ODD,
            QueryEvent.Op.REGISTER,
            new float[0],
            Integer.MIN_VALUE,
            Float.MIN_VALUE,
            1L));
    queries.add(QueryEvent.of("s", "max", QueryEvent.Op.ONCE, v, Integer.MAX_VALUE, null, 1L));
    for (int i = 0; i < 200; i++) {
      String ns = randomId(random);
      String id = randomId(random);
      long ts = random.nextLong();
      QueryEvent q =
          switch (random.nextInt(3)) {
            case 0 -> QueryEvent.cancel(ns, id, ts);
            case 1 -> QueryEvent.once(ns, id, randomVector(random, 1 + random.nextInt(64)), 5, ts);
            default ->
                QueryEvent.register(
                    ns, id, randomVector(random, 1 + random.nextInt(64)), random.nextInt(), ts);
          };
      queries.add(
          q.op() != QueryEvent.Op.CANCEL && random.nextBoolean()
              ? q.withThreshold(randomFloat(random))
              : q);
    }
    return queries.stream();
  }

  static Stream<TopKUpdate> updates() {
    Random random = new Random(44);
    List<TopKUpdate> updates = new ArrayList<>();
    updates.add(
        TopKUpdate.of(
            "shop",
            "user-7",
            1L,
            List.of(new ScoredItem("sku-2", 0.91f), new ScoredItem("sku-9", 0.87f)),
            UpdateCause.registered(),
            10L));
    updates.add(
        TopKUpdate.of(
            "shop",
            "user-7",
            2L,
            List.of(
                new ScoredItem("a", Float.POSITIVE_INFINITY),
                new ScoredItem("b", 1f),
                new ScoredItem("c", 1f),
                new ScoredItem("d", -0.0f),
                new ScoredItem("e", -Float.MAX_VALUE)),
            UpdateCause.itemUpserted("b"),
            11L));
    updates.add(TopKUpdate.of("shop", "user-7", 3L, List.of(), UpdateCause.itemDeleted(ODD), 12L));
    updates.add(
        TopKUpdate.of(ODD, ODD, 0L, List.of(new ScoredItem(ODD, 0f)), UpdateCause.once(), 0L));
    updates.add(TopKUpdate.of("ns", "q", Long.MAX_VALUE, List.of(), UpdateCause.cancelled(), -1L));
    for (int i = 0; i < 200; i++) {
      List<ScoredItem> matches = new ArrayList<>();
      int k = random.nextInt(12);
      for (int j = 0; j < k; j++) {
        matches.add(new ScoredItem("item-" + j + "-" + randomId(random), randomFloat(random)));
      }
      matches.sort(ScoredItem.BEST_FIRST);
      UpdateCause cause =
          switch (random.nextInt(3)) {
            case 0 -> UpdateCause.registered();
            case 1 -> UpdateCause.itemUpserted(randomId(random));
            default -> UpdateCause.itemDeleted(randomId(random));
          };
      updates.add(
          TopKUpdate.of(
              randomId(random),
              randomId(random),
              random.nextLong() & Long.MAX_VALUE,
              matches,
              cause,
              random.nextLong()));
    }
    return updates.stream();
  }

  static Stream<ThresholdMatch> alerts() {
    Random random = new Random(45);
    List<ThresholdMatch> alerts = new ArrayList<>();
    alerts.add(ThresholdMatch.match("shop", "alert-3", "sku-2", 0.93f, 10L));
    alerts.add(ThresholdMatch.retraction("shop", "alert-3", "sku-2", 0.93f, 11L));
    alerts.add(ThresholdMatch.of("", "", "", Float.NEGATIVE_INFINITY, false, Long.MIN_VALUE));
    alerts.add(ThresholdMatch.match(ODD, ODD, ODD, -0.0f, 0L));
    alerts.add(ThresholdMatch.match("a", "b", "c", Float.intBitsToFloat(0x15ae43fd), 0L));
    for (int i = 0; i < 200; i++) {
      alerts.add(
          ThresholdMatch.of(
              randomId(random),
              randomId(random),
              randomId(random),
              randomFloat(random),
              random.nextBoolean(),
              random.nextLong()));
    }
    return alerts.stream();
  }

  static Stream<DeadLetter> deadLetters() {
    Origin origin = new Origin("items", 3, 17L);
    Origin odd = new Origin(ODD, Integer.MAX_VALUE, Long.MAX_VALUE);
    List<DeadLetter> letters = new ArrayList<>();
    for (ItemEvent item : items().limit(8).toList()) {
      letters.add(DeadLetter.forItem(Reason.NON_FINITE_COMPONENT, "component 0 is NaN", item));
      letters.add(DeadLetter.forItem(Reason.EMPTY_ID, ODD, item.withOrigin(origin)));
    }
    for (QueryEvent query : queries().limit(10).toList()) {
      letters.add(DeadLetter.forQuery(Reason.K_NOT_POSITIVE, "k = -1", query));
      letters.add(DeadLetter.forQuery(Reason.UNKNOWN_QUERY, "no such", query.withOrigin(odd)));
    }
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    letters.add(DeadLetter.undecodable(binary, "not JSON", 5L));
    letters.add(DeadLetter.undecodable(binary, "not JSON", 5L, origin));
    letters.add(DeadLetter.undecodable(null, "a tombstone", Long.MIN_VALUE, odd));
    letters.add(DeadLetter.undecodable("{\"id\":".getBytes(), ODD, 0L, origin));
    letters.add(DeadLetter.undecodable(new byte[] {0}, "one byte", -1L, new Origin("", -1, -1)));
    return letters.stream();
  }

  private static String randomId(Random random) {
    StringBuilder sb = new StringBuilder();
    int n = random.nextInt(12);
    for (int i = 0; i < n; i++) {
      int c =
          switch (random.nextInt(4)) {
            case 0 -> 'a' + random.nextInt(26);
            case 1 -> PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length()));
            case 2 -> 0x80 + random.nextInt(0xd800 - 0x80);
            default -> 0x1f600 + random.nextInt(80);
          };
      sb.appendCodePoint(c);
    }
    return sb.toString();
  }

  private static float[] randomVector(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = randomFloat(random);
    }
    return v;
  }

  /** Mostly embedding-like values, sometimes any finite float bit pattern. */
  static float randomFloat(Random random) {
    if (random.nextInt(4) > 0) {
      return (float) random.nextGaussian();
    }
    float f;
    do {
      f = Float.intBitsToFloat(random.nextInt());
    } while (!Float.isFinite(f));
    return f;
  }
}
