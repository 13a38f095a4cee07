package io.simjoin.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonLineTest {
  @Test
  void writesKeysInOrderWithJsonSafeValues() {
    String line =
        new JsonLine()
            .put("n", 1_000_000L)
            .put("speedup", 12.3456789)
            .put("tiny", 1.5e-9)
            .put("big", 123456789.0)
            .put("nan", Double.NaN)
            .put("exact", true)
            .put("kind", "a\"b\\c\n")
            .toString();
    assertThat(line)
        .isEqualTo(
            "{\"n\":1000000,\"speedup\":12.3457,\"tiny\":0.0000000015,\"big\":123457000,"
                + "\"nan\":null,\"exact\":true,\"kind\":\"a\\\"b\\\\c\\n\"}");
    assertThat(JsonLine.number(0.0)).isEqualTo("0");
    assertThat(JsonLine.number(-2.5)).isEqualTo("-2.5");
  }
}
