package io.simjoin.connectors.codec;

import static io.simjoin.connectors.codec.JsonEventCodecTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.DeadLetter.Reason;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.validation.EventValidator;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoding contract: content errors are decoded and left to the validator, shape errors are a
 * {@link DecodeException} that names the field.
 */
class JsonEventCodecDecodingTest {

  private static final String ITEM = "\"namespace\":\"shop\",\"id\":\"sku-1\",\"op\":\"UPSERT\"";
  private static final String QUERY_NO_K = "\"namespace\":\"shop\",\"id\":\"q\",\"op\":\"ONCE\"";
  private static final String QUERY = QUERY_NO_K + ",\"k\":3";
  private static final String MATCH = "{\"itemId\":\"a\",\"score\":1}";
  private static final String UPDATE_HEAD = "\"namespace\":\"n\",\"queryId\":\"q\",\"timestamp\":0";
  private static final String ALERT_HEAD = "\"namespace\":\"n\",\"queryId\":\"q\",\"itemId\":\"i\"";
  private static final String RECORD_LETTER =
      "\"reason\":\"UNDECODABLE\",\"message\":\"m\",\"subject\":\"RECORD\",\"timestamp\":0";

  private final EventCodec codec = new JsonEventCodec();
  private final EventValidator validator = EventValidator.builder().build();

  static Stream<Arguments> undecodable() {
    return Stream.of(
        // not one JSON object
        Arguments.of("item", "", "item record is empty"),
        Arguments.of("item", "   ", "item record is empty"),
        Arguments.of("item", "sku-1", "item record is not valid JSON"),
        Arguments.of("item", "[1,2]", "item record is an array, not a JSON object"),
        Arguments.of("query", "\"x\"", "query record is a string, not a JSON object"),
        Arguments.of("item", "{" + ITEM + ",\"vector\":[1]", "item record is not valid JSON"),
        Arguments.of(
            "item", "{" + ITEM + ",\"vector\":[1]} x", "trailing data after the object (not JSON)"),
        Arguments.of(
            "item",
            "{" + ITEM + ",\"vector\":[1]}{}",
            "trailing data after the object (an object)"),
        Arguments.of(
            "item",
            "{" + ITEM + ",\"vector\":[1]}\n2",
            "trailing data after the object (a number)"),
        Arguments.of(
            "item", "{\"id\":\"a\",\"id\":\"b\",\"op\":\"DELETE\"}", "\"id\" is given twice"),
        Arguments.of("item", "{'id':'a'}", "not valid JSON"),
        // op
        Arguments.of(
            "item", "{\"namespace\":\"s\",\"id\":\"i\"}", "op is missing; use UPSERT or DELETE"),
        Arguments.of("item", "{\"op\":null}", "op is null; use UPSERT or DELETE"),
        Arguments.of(
            "item",
            "{\"op\":1}",
            "op is a number, not a string; write one of the strings UPSERT or DELETE"),
        Arguments.of("item", "{\"op\":\"PUT\"}", "op \"PUT\" is unknown; use UPSERT or DELETE"),
        Arguments.of("item", "{\"op\":\"upsert\"}", "(ops are upper case: UPSERT)"),
        Arguments.of(
            "item",
            "{\"op\":\"ONCE\"}",
            "op \"ONCE\" is unknown; use UPSERT or DELETE (ONCE is a query op"),
        Arguments.of(
            "query",
            "{\"op\":\"DELETE\"}",
            "op \"DELETE\" is unknown; use ONCE, REGISTER or CANCEL (DELETE is an item op"),
        Arguments.of("query", "{}", "op is missing; use ONCE, REGISTER or CANCEL"),
        // wrong types
        Arguments.of(
            "item",
            "{" + ITEM + ",\"vector\":[0.1,0.2,0.3,\"0.4\"]}",
            "vector[3] is a string (\"0.4\"), not a number"),
        Arguments.of("item", "{" + ITEM + ",\"vector\":[null]}", "vector[0] is null, not a number"),
        Arguments.of(
            "item", "{" + ITEM + ",\"vector\":[[1]]}", "vector[0] is an array, not a number"),
        Arguments.of("item", "{" + ITEM + ",\"vector\":[true]}", "vector[0] is true, not a number"),
        Arguments.of(
            "item",
            "{" + ITEM + ",\"vector\":\"0.1,0.2\"}",
            "vector is a string (\"0.1,0.2\"), not an array"),
        Arguments.of(
            "item", "{" + ITEM + ",\"vector\":{\"0\":1}}", "vector is an object, not an array"),
        Arguments.of("item", "{" + ITEM + ",\"vector\":1}", "vector is a number, not an array"),
        Arguments.of(
            "item",
            "{\"namespace\":5,\"id\":\"i\",\"op\":\"DELETE\"}",
            "namespace is a number, not a string"),
        Arguments.of("item", "{\"id\":{},\"op\":\"DELETE\"}", "id is an object, not a string"),
        Arguments.of("query", "{" + QUERY + ",\"vector\":[\"x\"]}", "vector[0] is a string"),
        Arguments.of(
            "query",
            "{" + QUERY + ",\"threshold\":\"0.5\"}",
            "threshold is a string (\"0.5\"), not a number"),
        Arguments.of(
            "query", "{" + QUERY + ",\"threshold\":[]}", "threshold is an array, not a number"),
        // whole numbers
        Arguments.of(
            "item",
            "{" + ITEM + ",\"timestamp\":1.5}",
            "timestamp is 1.5, which is not a whole number"),
        Arguments.of(
            "item", "{" + ITEM + ",\"timestamp\":\"1767225600000\"}", "timestamp is a string"),
        Arguments.of(
            "item",
            "{" + ITEM + ",\"timestamp\":1e30}",
            "timestamp is 1e30, which is out of range"),
        Arguments.of(
            "item",
            "{" + ITEM + ",\"timestamp\":9223372036854775808}",
            "timestamp is 9223372036854775808, which is out of range"),
        Arguments.of(
            "item", "{" + ITEM + ",\"timestamp\":NaN}", "timestamp is NaN, not a whole number"),
        Arguments.of(
            "item", "{" + ITEM + ",\"timestamp\":1e9999999999}", "timestamp is 1e9999999999"),
        Arguments.of(
            "query",
            "{" + QUERY_NO_K + ",\"k\":2.5}",
            "k is 2.5, which is not a whole number; write how many items"),
        Arguments.of(
            "query", "{" + QUERY_NO_K + ",\"k\":1e-3}", "k is 1e-3, which is not a whole number"),
        Arguments.of(
            "query",
            "{" + QUERY_NO_K + ",\"k\":2147483648}",
            "k is 2147483648, which is out of range"),
        Arguments.of(
            "query",
            "{" + QUERY_NO_K + ",\"k\":-2147483649}",
            "k is -2147483649, which is out of range"),
        Arguments.of(
            "query",
            "{" + QUERY_NO_K + ",\"k\":\"10\"}",
            "k is a string (\"10\"), not a whole number"),
        Arguments.of(
            "query", "{" + QUERY_NO_K + ",\"k\":Infinity}", "k is Infinity, not a whole number"),
        // updates
        Arguments.of(
            "update",
            "{" + UPDATE_HEAD + ",\"matches\":[],\"cause\":\"ONCE\"}",
            "update record: seq is missing"),
        Arguments.of(
            "update",
            "{" + UPDATE_HEAD + ",\"seq\":-1,\"matches\":[],\"cause\":\"ONCE\"}",
            "seq is -1, which is out of range"),
        Arguments.of(
            "update", "{" + UPDATE_HEAD + ",\"seq\":1,\"cause\":\"ONCE\"}", "matches is missing"),
        Arguments.of(
            "update",
            "{" + UPDATE_HEAD + ",\"seq\":1,\"matches\":{},\"cause\":\"ONCE\"}",
            "matches is an object, not an array"),
        Arguments.of(
            "update",
            "{" + UPDATE_HEAD + ",\"seq\":1,\"matches\":[1],\"cause\":\"ONCE\"}",
            "matches[0] is a number, not an object"),
        Arguments.of(
            "update",
            "{"
                + UPDATE_HEAD
                + ",\"seq\":1,\"matches\":["
                + MATCH
                + ",{\"itemId\":\"b\"}],\"cause\":\"ONCE\"}",
            "matches[1].score is missing"),
        Arguments.of(
            "update",
            "{"
                + UPDATE_HEAD
                + ",\"seq\":1,\"matches\":[{\"itemId\":\"b\",\"score\":\"1\"}],\"cause\":\"ONCE\"}",
            "matches[0].score is a string"),
        Arguments.of(
            "update",
            "{" + UPDATE_HEAD + ",\"seq\":1,\"matches\":[{\"score\":1}],\"cause\":\"ONCE\"}",
            "matches[0].itemId is missing"),
        Arguments.of(
            "update",
            "{"
                + UPDATE_HEAD
                + ",\"seq\":1,\"matches\":[{\"itemId\":\"b\",\"score\":0},"
                + MATCH
                + "],\"cause\":\"ONCE\"}",
            "matches must be best first"),
        Arguments.of(
            "update",
            "{" + UPDATE_HEAD + ",\"seq\":1,\"matches\":[],\"cause\":\"NEW\"}",
            "cause \"NEW\" is unknown; use one of ONCE, REGISTERED, ITEM_UPSERTED, ITEM_DELETED or CANCELLED"),
        Arguments.of(
            "update", "{" + UPDATE_HEAD + ",\"seq\":1,\"matches\":[]}", "cause is missing"),
        Arguments.of(
            "update",
            "{" + UPDATE_HEAD + ",\"seq\":1,\"matches\":[],\"cause\":\"ITEM_DELETED\"}",
            "causeItemId is null but a ITEM_DELETED update names the item"),
        Arguments.of(
            "update",
            "{"
                + UPDATE_HEAD
                + ",\"seq\":1,\"matches\":[],\"cause\":\"ONCE\",\"causeItemId\":\"x\"}",
            "causeItemId is \"x\" but a ONCE update has none"),
        Arguments.of(
            "update",
            "{" + UPDATE_HEAD + ",\"seq\":1,\"matches\":[" + MATCH + "],\"cause\":\"CANCELLED\"}",
            "a CANCELLED update has no matches"),
        Arguments.of(
            "update",
            "{\"namespace\":null,\"queryId\":\"q\"}",
            "namespace is null; it must be a string"),
        Arguments.of(
            "update",
            "{\"namespace\":\"n\",\"queryId\":\"q\",\"seq\":0,\"matches\":[],\"cause\":\"ONCE\"}",
            "timestamp is missing"),
        // alerts
        Arguments.of(
            "alert",
            "{" + ALERT_HEAD + ",\"score\":1,\"retraction\":\"no\",\"timestamp\":0}",
            "retraction is a string (\"no\"), not true or false"),
        Arguments.of(
            "alert",
            "{" + ALERT_HEAD + ",\"retraction\":false,\"timestamp\":0}",
            "alert record: score is missing"),
        Arguments.of(
            "alert",
            "{\"namespace\":\"n\",\"queryId\":\"q\",\"score\":1,\"retraction\":true,\"timestamp\":0}",
            "itemId is missing"),
        // dead letters
        Arguments.of(
            "dead letter", "{" + RECORD_LETTER + "}", "dead letter record: record is missing"),
        Arguments.of(
            "dead letter", "{" + RECORD_LETTER + ",\"record\":\"***\"}", "record is not base64"),
        Arguments.of(
            "dead letter",
            "{" + RECORD_LETTER + ",\"record\":\"\",\"topic\":\"t\"}",
            "give all three (where the record was read) or none"),
        Arguments.of(
            "dead letter",
            "{" + RECORD_LETTER + ",\"record\":\"\",\"partition\":1.5}",
            "partition is 1.5, which is not a whole number"),
        Arguments.of(
            "dead letter",
            "{\"reason\":\"EMPTY_ID\",\"message\":\"m\",\"subject\":\"RECORD\",\"record\":\"\",\"timestamp\":0}",
            "reason is EMPTY_ID, but a RECORD dead letter is UNDECODABLE"),
        Arguments.of(
            "dead letter",
            "{\"reason\":\"BAD\",\"message\":\"m\",\"subject\":\"ITEM\",\"timestamp\":0}",
            "reason \"BAD\" is unknown; use one of UNDECODABLE, EMPTY_NAMESPACE"),
        Arguments.of(
            "dead letter",
            "{\"reason\":\"EMPTY_ID\",\"message\":\"m\",\"subject\":\"EVENT\",\"timestamp\":0}",
            "subject \"EVENT\" is unknown; use one of ITEM, QUERY or RECORD"),
        Arguments.of(
            "dead letter",
            "{\"reason\":\"EMPTY_ID\",\"message\":\"m\",\"subject\":\"ITEM\",\"item\":null,\"timestamp\":0}",
            "item is missing"),
        Arguments.of(
            "dead letter",
            "{\"reason\":\"EMPTY_ID\",\"message\":\"m\",\"subject\":\"ITEM\",\"item\":[],\"timestamp\":0}",
            "item is an array, not an object"),
        Arguments.of(
            "dead letter",
            "{\"reason\":\"EMPTY_ID\",\"message\":\"m\",\"subject\":\"ITEM\",\"item\":{\"id\":\"i\"},\"timestamp\":0}",
            "item.op is missing; use UPSERT or DELETE"),
        Arguments.of(
            "dead letter",
            "{\"reason\":\"EMPTY_ID\",\"message\":\"m\",\"subject\":\"QUERY\",\"query\":{\"op\":\"ONCE\",\"vector\":[\"1\"]},\"timestamp\":0}",
            "query.vector[0] is a string"),
        Arguments.of(
            "dead letter",
            "{\"reason\":\"UNDECODABLE\",\"message\":\"\",\"subject\":\"RECORD\",\"record\":\"\",\"timestamp\":0}",
            "message is empty"),
        Arguments.of(
            "dead letter",
            "{\"reason\":\"UNDECODABLE\",\"subject\":\"RECORD\",\"record\":\"\",\"timestamp\":0}",
            "message is missing"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("undecodable")
  void shapeErrorsThrowNamingTheField(String kind, String json, String message) {
    assertThatThrownBy(() -> decode(kind, json))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining(message);
  }

  @Test
  void aTombstoneOrNoBytesIsUndecodable() {
    assertThatThrownBy(() -> codec.decodeItem(null, 0L))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("no value");
    byte[] latin1 = "{\"namespace\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> codec.decodeItem(latin1, 0L))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("item record is not valid JSON (Invalid UTF-8");
    assertThatThrownBy(() -> codec.decodeDeadLetter(new byte[] {(byte) 0xc3, 0x01, 0x02}))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("dead letter record is not valid JSON");
  }

  static Stream<Arguments> contentErrors() {
    return Stream.of(
        Arguments.of(
            "item", "{\"id\":\"i\",\"op\":\"UPSERT\",\"vector\":[1]}", Reason.EMPTY_NAMESPACE),
        Arguments.of(
            "item",
            "{\"namespace\":null,\"id\":\"i\",\"op\":\"UPSERT\",\"vector\":[1]}",
            Reason.EMPTY_NAMESPACE),
        Arguments.of("item", "{\"namespace\":\"s\",\"op\":\"DELETE\"}", Reason.EMPTY_ID),
        Arguments.of(
            "item", "{\"namespace\":\"s\",\"id\":\"\",\"op\":\"DELETE\"}", Reason.EMPTY_ID),
        Arguments.of("item", "{" + ITEM + "}", Reason.MISSING_VECTOR),
        Arguments.of("item", "{" + ITEM + ",\"vector\":null}", Reason.MISSING_VECTOR),
        Arguments.of("item", "{" + ITEM + ",\"vector\":[]}", Reason.EMPTY_VECTOR),
        Arguments.of("item", "{" + ITEM + ",\"vector\":[1,NaN]}", Reason.NON_FINITE_COMPONENT),
        Arguments.of("item", "{" + ITEM + ",\"vector\":[Infinity]}", Reason.NON_FINITE_COMPONENT),
        Arguments.of("item", "{" + ITEM + ",\"vector\":[-Infinity]}", Reason.NON_FINITE_COMPONENT),
        Arguments.of("item", "{" + ITEM + ",\"vector\":[1e39]}", Reason.NON_FINITE_COMPONENT),
        Arguments.of("item", "{" + ITEM + ",\"vector\":[-1e400]}", Reason.NON_FINITE_COMPONENT),
        Arguments.of(
            "query", "{" + QUERY.replace("3", "0") + ",\"vector\":[1]}", Reason.K_NOT_POSITIVE),
        Arguments.of(
            "query", "{" + QUERY.replace("3", "-3") + ",\"vector\":[1]}", Reason.K_NOT_POSITIVE),
        Arguments.of(
            "query",
            "{\"namespace\":\"s\",\"id\":\"q\",\"op\":\"ONCE\",\"vector\":[1]}",
            Reason.K_NOT_POSITIVE),
        Arguments.of(
            "query", "{" + QUERY_NO_K + ",\"k\":null,\"vector\":[1]}", Reason.K_NOT_POSITIVE),
        Arguments.of(
            "query", "{" + QUERY + ",\"vector\":[1],\"threshold\":NaN}", Reason.THRESHOLD_NAN),
        Arguments.of("query", "{" + QUERY + ",\"vector\":[NaN]}", Reason.NON_FINITE_COMPONENT),
        Arguments.of("query", "{" + QUERY + "}", Reason.MISSING_VECTOR));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("contentErrors")
  void contentErrorsDecodeAndReachTheValidator(String kind, String json, Reason reason)
      throws DecodeException {
    Optional<DeadLetter> rejected =
        kind.equals("item")
            ? validator.checkItem(codec.decodeItem(bytes(json), 0L))
            : validator.checkQuery(codec.decodeQuery(bytes(json), 0L));
    assertThat(rejected).map(DeadLetter::reason).contains(reason);
  }

  @Test
  void aMissingOrNullTimestampIsTheRecords() throws DecodeException {
    assertThat(codec.decodeItem(bytes("{" + ITEM + ",\"vector\":[1]}"), 42L).timestamp())
        .isEqualTo(42L);
    assertThat(codec.decodeItem(bytes("{" + ITEM + ",\"timestamp\":null}"), 42L).timestamp())
        .isEqualTo(42L);
    assertThat(codec.decodeQuery(bytes("{" + QUERY + "}"), 43L).timestamp()).isEqualTo(43L);
    assertThat(codec.decodeQuery(bytes("{" + QUERY + ",\"timestamp\":7}"), 43L).timestamp())
        .isEqualTo(7L);
  }

  @Test
  void unknownFieldsAreIgnoredWhateverTheirValue() throws DecodeException {
    String extra = "\"source\":{\"a\":[1,{\"b\":null}],\"c\":\"d\"},\"v2\":[[]],\"x\":NaN,";
    assertThat(
            codec.decodeItem(
                bytes("{" + extra + ITEM + ",\"vector\":[1],\"timestamp\":5,\"tail\":true}"), 0L))
        .isEqualTo(ItemEvent.upsert("shop", "sku-1", new float[] {1f}, 5L));
    assertThat(codec.decodeQuery(bytes("{" + extra + QUERY + ",\"vector\":[2]}"), 1L))
        .isEqualTo(QueryEvent.once("shop", "q", new float[] {2f}, 3, 1L));
    assertThat(
            codec
                .decodeUpdate(
                    bytes(
                        "{"
                            + extra
                            + UPDATE_HEAD
                            + ",\"seq\":1,\"matches\":[{\"rank\":1,\"itemId\":\"a\",\"score\":1}],"
                            + "\"cause\":\"ONCE\"}"))
                .matches())
        .hasSize(1);
  }

  @Test
  void fieldsMayComeInAnyOrder() throws DecodeException {
    assertThat(
            codec.decodeQuery(
                bytes(
                    "{\"timestamp\":9,\"threshold\":0.5,\"k\":2,\"vector\":[1,2],\"op\":\"REGISTER\","
                        + "\"id\":\"q\",\"namespace\":\"s\"}"),
                0L))
        .isEqualTo(QueryEvent.register("s", "q", new float[] {1f, 2f}, 2, 9L).withThreshold(0.5f));
  }

  @Test
  void wholeNumbersMayBeWrittenWithAFractionOrAnExponent() throws DecodeException {
    QueryEvent q =
        codec.decodeQuery(
            bytes("{" + QUERY.replace("3", "1e1") + ",\"timestamp\":1.7672256E12}"), 0);
    assertThat(q.k()).isEqualTo(10);
    assertThat(q.timestamp()).isEqualTo(1_767_225_600_000L);
    assertThat(codec.decodeQuery(bytes("{" + QUERY.replace("3", "10.000") + "}"), 0).k())
        .isEqualTo(10);
  }

  @Test
  void numbersAreRoundedOnceToFloat() throws DecodeException {
    ItemEvent e =
        codec.decodeItem(
            bytes(
                "{"
                    + ITEM
                    + ",\"vector\":[7.038531E-26,0.1,3,-0,-0.0,1e-50,16777217,"
                    + "123456789012345678901234567890]}"),
            0L);
    assertThat(e.vector())
        .containsExactly(
            Float.intBitsToFloat(0x15ae43fd),
            0.1f,
            3f,
            -0.0f,
            -0.0f,
            0.0f,
            16777216f,
            1.2345679e29f);
    assertThat(Float.floatToRawIntBits(e.component(3))).isEqualTo(Float.floatToRawIntBits(-0.0f));
  }

  @Test
  void aDeleteOrCancelDropsWhatItDoesNotNeed() throws DecodeException {
    assertThat(
            codec.decodeItem(
                bytes("{" + ITEM.replace("UPSERT", "DELETE") + ",\"vector\":[1]}"), 3L))
        .isEqualTo(ItemEvent.delete("shop", "sku-1", 3L));
    assertThat(
            codec.decodeQuery(
                bytes(
                    "{\"namespace\":\"s\",\"id\":\"q\",\"op\":\"CANCEL\",\"k\":5,\"threshold\":1}"),
                4L))
        .isEqualTo(QueryEvent.cancel("s", "q", 4L));
  }

  private Object decode(String kind, String json) throws DecodeException {
    byte[] b = bytes(json);
    return switch (kind) {
      case "item" -> codec.decodeItem(b, 0L);
      case "query" -> codec.decodeQuery(b, 0L);
      case "update" -> codec.decodeUpdate(b);
      case "alert" -> codec.decodeAlert(b);
      case "dead letter" -> codec.decodeDeadLetter(b);
      default -> throw new IllegalArgumentException(kind);
    };
  }
}
