package io.simjoin.operators.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThresholdMatchTest {

  @Test
  void matchAndRetraction() {
    ThresholdMatch m = ThresholdMatch.match("ns", "alert", "sku", 0.9f, 5L);
    assertThat(m.namespace()).isEqualTo("ns");
    assertThat(m.queryId()).isEqualTo("alert");
    assertThat(m.itemId()).isEqualTo("sku");
    assertThat(m.score()).isEqualTo(0.9f);
    assertThat(m.isRetraction()).isFalse();
    assertThat(m.timestamp()).isEqualTo(5L);
    ThresholdMatch r = ThresholdMatch.retraction("ns", "alert", "sku", 0.9f, 6L);
    assertThat(r.isRetraction()).isTrue();
    assertThat(r).isEqualTo(ThresholdMatch.of("ns", "alert", "sku", 0.9f, true, 6L));
    assertThat(r).isNotEqualTo(ThresholdMatch.of("ns", "alert", "sku", 0.9f, false, 6L));
    assertThat(m).hasSameHashCodeAs(ThresholdMatch.match("ns", "alert", "sku", 0.9f, 5L));
    assertThat(r)
        .hasToString(
            "ThresholdMatch{RETRACTION namespace='ns' queryId='alert' itemId='sku' score=0.9"
                + " timestamp=6}");
  }

  @Test
  void rejectsNulls() {
    assertThatThrownBy(() -> ThresholdMatch.match(null, "q", "i", 0f, 0L))
        .hasMessageContaining("namespace is null");
    assertThatThrownBy(() -> ThresholdMatch.match("ns", null, "i", 0f, 0L))
        .hasMessageContaining("queryId is null");
    assertThatThrownBy(() -> ThresholdMatch.retraction("ns", "q", null, 0f, 0L))
        .hasMessageContaining("itemId is null");
  }
}
