package io.simjoin.connectors.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordKeysTest {

  @ParameterizedTest
  @ValueSource(strings = {"sku-1", "", " ", JsonSamples.ODD, "{\"namespace\":\"x\"}", "\u001f"})
  void keysReadBackWithAnyCharacters(String s) throws DecodeException {
    assertThat(RecordKeys.parseItemKey(RecordKeys.itemKey(s, s + "!")))
        .isEqualTo(new RecordKeys.Id(s, s + "!"));
    assertThat(RecordKeys.parseItemKey(RecordKeys.queryKey("ns", s)))
        .isEqualTo(new RecordKeys.Id("ns", s));
    assertThat(RecordKeys.parseUpdateKey(RecordKeys.updateKey(s, "q")))
        .isEqualTo(new RecordKeys.Id(s, "q"));
  }

  @Test
  void keysAreCompactJsonInTheDocumentedLayout() {
    assertThat(new String(RecordKeys.itemKey("shop", "sku-1"), UTF_8))
        .isEqualTo("{\"namespace\":\"shop\",\"id\":\"sku-1\"}");
    assertThat(new String(RecordKeys.queryKey("shop", "user-7"), UTF_8))
        .isEqualTo("{\"namespace\":\"shop\",\"id\":\"user-7\"}");
    assertThat(new String(RecordKeys.updateKey("shop", "user-7"), UTF_8))
        .isEqualTo("{\"namespace\":\"shop\",\"queryId\":\"user-7\"}");
  }

  @Test
  void equalKeysAreEqualBytes() {
    // Log compaction compares bytes: equal strings built apart must give the same key.
    String a = new StringBuilder("user-").append(7).append("😀").toString();
    String b = "user-7😀";
    assertThat(RecordKeys.updateKey("shop", a)).isEqualTo(RecordKeys.updateKey("shop", b));
    assertThat(RecordKeys.itemKey(JsonSamples.ODD, a))
        .isEqualTo(RecordKeys.itemKey(JsonSamples.ODD, b));
    assertThat(RecordKeys.itemKey("a", "bc")).isNotEqualTo(RecordKeys.itemKey("ab", "c"));
    assertThat(RecordKeys.itemKey("shop", "q")).isNotEqualTo(RecordKeys.updateKey("shop", "q"));
  }

  @Test
  void aKeyMayHaveOtherFieldsAndAnyOrder() throws DecodeException {
    byte[] key = "{\"id\":\"i\",\"extra\":[1,{}],\"namespace\":\"n\"}".getBytes(UTF_8);
    assertThat(RecordKeys.parseItemKey(key)).isEqualTo(new RecordKeys.Id("n", "i"));
  }

  static Stream<Arguments> badKeys() {
    return Stream.of(
        Arguments.of(null, "the record has no key"),
        Arguments.of("", "the record has no key"),
        Arguments.of("sku-1", "the key is not valid JSON"),
        Arguments.of("[\"n\",\"i\"]", "the key is not a JSON object"),
        Arguments.of("\"n\"", "the key is not a JSON object"),
        Arguments.of("{\"namespace\":\"n\",\"id\":", "the key is not valid JSON"),
        Arguments.of("{\"namespace\":1,\"id\":\"i\"}", "the key's \"namespace\" is not a string"),
        Arguments.of("{\"namespace\":\"n\",\"id\":null}", "the key's \"id\" is not a string"),
        Arguments.of("{\"id\":\"i\"}", "the key lacks \"namespace\""),
        Arguments.of("{\"namespace\":\"n\"}", "the key lacks \"id\""),
        Arguments.of("{\"namespace\":\"n\",\"queryId\":\"q\"}", "the key lacks \"id\""));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badKeys")
  void badItemKeysSayWhatAKeyMustBe(String key, String message) {
    byte[] bytes = key == null ? null : key.getBytes(UTF_8);
    assertThatThrownBy(() -> RecordKeys.parseItemKey(bytes))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining(message)
        .hasMessageContaining("must be {\"namespace\":\"…\",\"id\":\"…\"}");
  }

  @Test
  void anUpdateKeyNeedsAQueryId() {
    assertThatThrownBy(() -> RecordKeys.parseUpdateKey(RecordKeys.itemKey("n", "i")))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("the key lacks \"queryId\"")
        .hasMessageContaining("{\"namespace\":\"…\",\"queryId\":\"…\"}");
  }
}
