package io.simjoin.operators.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ItemEventTest {

  @Test
  void upsertKeepsItsFields() {
    ItemEvent e = ItemEvent.upsert("catalogue", "sku-1", new float[] {1f, 2f}, 42L);
    assertThat(e.namespace()).isEqualTo("catalogue");
    assertThat(e.id()).isEqualTo("sku-1");
    assertThat(e.op()).isEqualTo(ItemEvent.Op.UPSERT);
    assertThat(e.hasVector()).isTrue();
    assertThat(e.dimension()).isEqualTo(2);
    assertThat(e.component(1)).isEqualTo(2f);
    assertThat(e.vector()).containsExactly(1f, 2f);
    assertThat(e.timestamp()).isEqualTo(42L);
  }

  @Test
  void vectorIsCopiedInAndOut() {
    float[] v = {1f, 2f};
    ItemEvent e = ItemEvent.upsert("ns", "a", v, 0L);
    v[0] = 99f;
    e.vector()[1] = 99f;
    assertThat(e.vector()).containsExactly(1f, 2f);

    float[] w = {3f};
    ItemEvent decoded = ItemEvent.of("ns", "a", ItemEvent.Op.UPSERT, w, 0L);
    w[0] = 99f;
    assertThat(decoded.vector()).containsExactly(3f);
  }

  @Test
  void deleteHasNoVector() {
    ItemEvent e = ItemEvent.delete("ns", "a", 1L);
    assertThat(e.hasVector()).isFalse();
    assertThat(e.dimension()).isZero();
    assertThat(e.vector()).isNull();
    assertThatThrownBy(() -> e.component(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no vector");
  }

  @Test
  void aVectorSentWithADeleteIsDropped() {
    ItemEvent e = ItemEvent.of("ns", "a", ItemEvent.Op.DELETE, new float[] {1f}, 1L);
    assertThat(e.hasVector()).isFalse();
    assertThat(e).isEqualTo(ItemEvent.delete("ns", "a", 1L));
  }

  @Test
  void strictFactoriesNameTheNullArgument() {
    assertThatThrownBy(() -> ItemEvent.upsert(null, "a", new float[1], 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("ItemEvent.upsert: namespace is null");
    assertThatThrownBy(() -> ItemEvent.upsert("ns", null, new float[1], 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("id is null");
    assertThatThrownBy(() -> ItemEvent.upsert("ns", "a", null, 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("vector is null")
        .hasMessageContaining("delete(...)");
    assertThatThrownBy(() -> ItemEvent.delete("ns", null, 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("ItemEvent.delete: id is null");
  }

  @Test
  void decoderFactoryKeepsBadFieldsForTheValidator() {
    ItemEvent e = ItemEvent.of(null, "", ItemEvent.Op.UPSERT, null, 0L);
    assertThat(e.namespace()).isNull();
    assertThat(e.id()).isEmpty();
    assertThat(e.hasVector()).isFalse();
    assertThatThrownBy(() -> ItemEvent.of("ns", "a", null, null, 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("op is null")
        .hasMessageContaining("DeadLetter.undecodable");
  }

  @Test
  void equalityCoversEveryField() {
    ItemEvent e = ItemEvent.upsert("ns", "a", new float[] {1f, Float.NaN}, 1L);
    assertThat(e)
        .isEqualTo(ItemEvent.upsert("ns", "a", new float[] {1f, Float.NaN}, 1L))
        .hasSameHashCodeAs(ItemEvent.upsert("ns", "a", new float[] {1f, Float.NaN}, 1L))
        .isNotEqualTo(ItemEvent.upsert("ns2", "a", new float[] {1f, Float.NaN}, 1L))
        .isNotEqualTo(ItemEvent.upsert("ns", "b", new float[] {1f, Float.NaN}, 1L))
        .isNotEqualTo(ItemEvent.upsert("ns", "a", new float[] {1f, 2f}, 1L))
        .isNotEqualTo(ItemEvent.upsert("ns", "a", new float[] {1f, Float.NaN}, 2L))
        .isNotEqualTo(ItemEvent.delete("ns", "a", 1L));
    assertThat(ItemEvent.of(null, null, ItemEvent.Op.DELETE, null, 0L))
        .isEqualTo(ItemEvent.of(null, null, ItemEvent.Op.DELETE, null, 0L));
  }

  @Test
  void toStringIsReadableAndBounded() {
    assertThat(ItemEvent.upsert("ns", "a", new float[] {1f, 2f}, 3L))
        .hasToString("ItemEvent{UPSERT namespace='ns' id='a' vector=[2]{1.0, 2.0} timestamp=3}");
    assertThat(ItemEvent.delete("ns", "a", 3L))
        .hasToString("ItemEvent{DELETE namespace='ns' id='a' timestamp=3}");
    String big = ItemEvent.upsert("x".repeat(100_000), "a", new float[10_000], 0L).toString();
    assertThat(big).hasSizeLessThan(600).contains("(100000 chars)").contains("[10000]{0.0");
  }
}
