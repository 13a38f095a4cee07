package io.simjoin.connectors.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.connectors.WireFormat;
import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.DeadLetter.Reason;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.Origin;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Round trips of the five record types, and their exact layout: the contract others read. */
class JsonEventCodecTest {

  private static final long TS = 1_767_225_600_000L;

  private final EventCodec codec = new JsonEventCodec();

  static Stream<ItemEvent> items() {
    return JsonSamples.items();
  }

  static Stream<QueryEvent> queries() {
    return JsonSamples.queries();
  }

  static Stream<TopKUpdate> updates() {
    return JsonSamples.updates();
  }

  static Stream<ThresholdMatch> alerts() {
    return JsonSamples.alerts();
  }

  static Stream<DeadLetter> deadLetters() {
    return JsonSamples.deadLetters();
  }

  @ParameterizedTest
  @MethodSource("items")
  void itemsReadBackEqual(ItemEvent item) throws DecodeException {
    // A record timestamp unlike any event's: the event's own must win.
    assertThat(codec.decodeItem(codec.encodeItem(item), 12345L)).isEqualTo(item);
  }

  @ParameterizedTest
  @MethodSource("queries")
  void queriesReadBackEqual(QueryEvent query) throws DecodeException {
    assertThat(codec.decodeQuery(codec.encodeQuery(query), 12345L)).isEqualTo(query);
  }

  @ParameterizedTest
  @MethodSource("updates")
  void updatesReadBackEqual(TopKUpdate update) throws DecodeException {
    assertThat(codec.decodeUpdate(codec.encodeUpdate(update))).isEqualTo(update);
  }

  @ParameterizedTest
  @MethodSource("alerts")
  void alertsReadBackEqual(ThresholdMatch alert) throws DecodeException {
    assertThat(codec.decodeAlert(codec.encodeAlert(alert))).isEqualTo(alert);
  }

  @ParameterizedTest
  @MethodSource("deadLetters")
  void deadLettersReadBackEqual(DeadLetter deadLetter) throws DecodeException {
    DeadLetter back = codec.decodeDeadLetter(codec.encodeDeadLetter(deadLetter));
    assertThat(back).isEqualTo(deadLetter);
    assertThat(back.origin()).isEqualTo(deadLetter.origin());
  }

  @Test
  void anEventsOriginIsNotPartOfItsRecord() {
    // The source attaches where it read a record; writing it into the value would make a
    // re-produced event claim the old topic's offset.
    Origin origin = new Origin("items", 1, 2L);
    ItemEvent item = ItemEvent.upsert("n", "i", new float[] {1f}, 3L);
    assertThat(codec.encodeItem(item.withOrigin(origin))).isEqualTo(codec.encodeItem(item));
    QueryEvent query = QueryEvent.cancel("n", "q", 3L);
    assertThat(codec.encodeQuery(query.withOrigin(origin))).isEqualTo(codec.encodeQuery(query));
  }

  @Test
  void floatsReadBackBitIdentical() throws DecodeException {
    Random random = new Random(7);
    float[] v = new float[100_000];
    for (int i = 0; i < v.length; i++) {
      float f;
      do {
        f = Float.intBitsToFloat(random.nextInt());
      } while (Float.isNaN(f));
      v[i] = f;
    }
    ItemEvent back = codec.decodeItem(codec.encodeItem(ItemEvent.upsert("n", "i", v, 0L)), 0L);
    for (int i = 0; i < v.length; i++) {
      assertThat(Float.floatToRawIntBits(back.component(i)))
          .as("component %d, %s", i, v[i])
          .isEqualTo(Float.floatToRawIntBits(v[i]));
    }
  }

  @Test
  void floatsAreWrittenInTheirShortestForm() {
    String json =
        text(
            codec.encodeItem(
                ItemEvent.upsert("n", "i", new float[] {0.1f, 2.0E-3f, 1e10f, -0.0f}, 0L)));
    assertThat(json).contains("\"vector\":[0.1,0.002,1.0E10,-0.0]");
    String odd =
        text(codec.encodeAlert(ThresholdMatch.match("n", "q", "i", JsonSamples.ODD_FLOATS[10], 0)));
    assertThat(odd).contains("\"score\":7.038531E-26,");
    // Java 17's Float.toString writes 1.17549435E-38: a digit more than it takes.
    String normal =
        text(codec.encodeAlert(ThresholdMatch.match("n", "q", "i", Float.MIN_NORMAL, 0)));
    assertThat(normal).contains("\"score\":1.1754944E-38,");
  }

  @Test
  void nonFiniteNumbersAreBareTokens() {
    String json =
        text(
            codec.encodeItem(
                ItemEvent.upsert(
                    "n",
                    "i",
                    new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY},
                    0L)));
    assertThat(json).contains("\"vector\":[NaN,Infinity,-Infinity]");
  }

  @Test
  void textIsUtf8WithoutEscapingCharactersOutsideTheBmp() {
    byte[] bytes = codec.encodeItem(ItemEvent.delete("日本", "😀\"\\", 0L));
    assertThat(bytes).containsSequence("😀".getBytes(UTF_8));
    assertThat(text(bytes)).startsWith("{\"namespace\":\"日本\",\"id\":\"😀\\\"\\\\\",");
  }

  // The layouts below are built by hand from the documented contract (issue 9 and the README):
  // field names and order are what other tools read, so any change here is a breaking change.

  @Test
  void itemLayout() {
    assertThat(
            text(codec.encodeItem(ItemEvent.upsert("shop", "sku-1", new float[] {0.1f, 0.2f}, TS))))
        .isEqualTo(
            "{\"namespace\":\"shop\",\"id\":\"sku-1\",\"op\":\"UPSERT\",\"vector\":[0.1,0.2],"
                + "\"timestamp\":1767225600000}");
    assertThat(text(codec.encodeItem(ItemEvent.delete("shop", "sku-1", TS))))
        .isEqualTo(
            "{\"namespace\":\"shop\",\"id\":\"sku-1\",\"op\":\"DELETE\",\"vector\":null,"
                + "\"timestamp\":1767225600000}");
  }

  @Test
  void queryLayout() {
    QueryEvent q = QueryEvent.register("shop", "user-7", new float[] {0.1f, 0.2f}, 10, TS);
    assertThat(text(codec.encodeQuery(q.withThreshold(0.8f))))
        .isEqualTo(
            "{\"namespace\":\"shop\",\"id\":\"user-7\",\"op\":\"REGISTER\",\"vector\":[0.1,0.2],"
                + "\"k\":10,\"threshold\":0.8,\"timestamp\":1767225600000}");
    assertThat(text(codec.encodeQuery(QueryEvent.once("shop", "req-1", new float[] {1f}, 3, TS))))
        .isEqualTo(
            "{\"namespace\":\"shop\",\"id\":\"req-1\",\"op\":\"ONCE\",\"vector\":[1.0],"
                + "\"k\":3,\"threshold\":null,\"timestamp\":1767225600000}");
    assertThat(text(codec.encodeQuery(QueryEvent.cancel("shop", "user-7", TS))))
        .isEqualTo(
            "{\"namespace\":\"shop\",\"id\":\"user-7\",\"op\":\"CANCEL\",\"vector\":null,"
                + "\"k\":0,\"threshold\":null,\"timestamp\":1767225600000}");
  }

  @Test
  void updateLayout() {
    TopKUpdate u =
        TopKUpdate.of(
            "shop",
            "user-7",
            3L,
            List.of(new ScoredItem("sku-1", 0.91f), new ScoredItem("sku-2", 0.5f)),
            UpdateCause.itemUpserted("sku-1"),
            TS);
    assertThat(text(codec.encodeUpdate(u)))
        .isEqualTo(
            "{\"namespace\":\"shop\",\"queryId\":\"user-7\",\"seq\":3,\"matches\":["
                + "{\"itemId\":\"sku-1\",\"score\":0.91},{\"itemId\":\"sku-2\",\"score\":0.5}],"
                + "\"cause\":\"ITEM_UPSERTED\",\"causeItemId\":\"sku-1\","
                + "\"timestamp\":1767225600000}");
    TopKUpdate cancelled =
        TopKUpdate.of("shop", "user-7", 4L, List.of(), UpdateCause.cancelled(), TS);
    assertThat(text(codec.encodeUpdate(cancelled)))
        .isEqualTo(
            "{\"namespace\":\"shop\",\"queryId\":\"user-7\",\"seq\":4,\"matches\":[],"
                + "\"cause\":\"CANCELLED\",\"causeItemId\":null,\"timestamp\":1767225600000}");
  }

  @Test
  void alertLayout() {
    assertThat(
            text(
                codec.encodeAlert(
                    ThresholdMatch.retraction("shop", "alert-3", "sku-1", 0.93f, TS))))
        .isEqualTo(
            "{\"namespace\":\"shop\",\"queryId\":\"alert-3\",\"itemId\":\"sku-1\",\"score\":0.93,"
                + "\"retraction\":true,\"timestamp\":1767225600000}");
  }

  @Test
  void deadLetterLayout() {
    DeadLetter record =
        DeadLetter.undecodable(
            "{\"id\":1".getBytes(UTF_8), "not JSON", TS, new Origin("items", 0, 17L));
    assertThat(text(codec.encodeDeadLetter(record)))
        .isEqualTo(
            "{\"reason\":\"UNDECODABLE\",\"message\":\"not JSON\",\"subject\":\"RECORD\","
                + "\"item\":null,\"query\":null,\"record\":\"eyJpZCI6MQ==\",\"topic\":\"items\","
                + "\"partition\":0,\"offset\":17,\"timestamp\":1767225600000}");
    DeadLetter item =
        DeadLetter.forItem(
            Reason.EMPTY_VECTOR, "no components", ItemEvent.upsert("shop", "s", new float[0], TS));
    assertThat(text(codec.encodeDeadLetter(item)))
        .isEqualTo(
            "{\"reason\":\"EMPTY_VECTOR\",\"message\":\"no components\",\"subject\":\"ITEM\","
                + "\"item\":{\"namespace\":\"shop\",\"id\":\"s\",\"op\":\"UPSERT\",\"vector\":[],"
                + "\"timestamp\":1767225600000},\"query\":null,\"record\":null,\"topic\":null,"
                + "\"partition\":null,\"offset\":null,\"timestamp\":1767225600000}");
    DeadLetter query =
        DeadLetter.forQuery(
            Reason.UNKNOWN_QUERY,
            "not registered",
            QueryEvent.cancel("shop", "q", TS).withOrigin(new Origin("queries", 2, 5L)));
    assertThat(text(codec.encodeDeadLetter(query)))
        .isEqualTo(
            "{\"reason\":\"UNKNOWN_QUERY\",\"message\":\"not registered\",\"subject\":\"QUERY\","
                + "\"item\":null,\"query\":{\"namespace\":\"shop\",\"id\":\"q\",\"op\":\"CANCEL\","
                + "\"vector\":null,\"k\":0,\"threshold\":null,\"timestamp\":1767225600000},"
                + "\"record\":null,\"topic\":\"queries\",\"partition\":2,\"offset\":5,"
                + "\"timestamp\":1767225600000}");
  }

  @Test
  void theIssuesExamplesDecode() throws DecodeException {
    assertThat(
            codec.decodeItem(
                bytes(
                    "{\"namespace\":\"shop\",\"id\":\"sku-1\",\"op\":\"UPSERT\",\"vector\":[0.1,0.2],"
                        + "\"timestamp\":1767225600000}"),
                0L))
        .isEqualTo(ItemEvent.upsert("shop", "sku-1", new float[] {0.1f, 0.2f}, TS));
    assertThat(
            codec.decodeQuery(
                bytes(
                    "{\"namespace\":\"shop\",\"id\":\"u\",\"op\":\"ONCE\",\"vector\":[1],\"k\":10,"
                        + "\"threshold\":0.5}"),
                TS))
        .isEqualTo(QueryEvent.once("shop", "u", new float[] {1f}, 10, TS).withThreshold(0.5f));
  }

  @Test
  void forFormatJsonIsTheJsonCodec() {
    assertThat(EventCodecs.forFormat(WireFormat.JSON)).isInstanceOf(JsonEventCodec.class);
    assertThatThrownBy(() -> EventCodecs.forFormat(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("format");
  }

  static String text(byte[] bytes) {
    return new String(bytes, UTF_8);
  }

  static byte[] bytes(String json) {
    return json.getBytes(UTF_8);
  }
}
