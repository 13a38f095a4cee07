package io.simjoin.operators.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QueryEventTest {

  private static final float[] V = {1f, 2f, 3f};

  @Test
  void onceAndRegisterKeepTheirFields() {
    QueryEvent q = QueryEvent.register("catalogue", "user-7", V, 10, 5L);
    assertThat(q.namespace()).isEqualTo("catalogue");
    assertThat(q.id()).isEqualTo("user-7");
    assertThat(q.op()).isEqualTo(QueryEvent.Op.REGISTER);
    assertThat(q.k()).isEqualTo(10);
    assertThat(q.vector()).containsExactly(1f, 2f, 3f);
    assertThat(q.dimension()).isEqualTo(3);
    assertThat(q.component(2)).isEqualTo(3f);
    assertThat(q.timestamp()).isEqualTo(5L);
    assertThat(q.hasThreshold()).isFalse();
    assertThat(QueryEvent.once("catalogue", "r", V, 1, 0L).op()).isEqualTo(QueryEvent.Op.ONCE);
  }

  @Test
  void thresholdIsOptional() {
    QueryEvent plain = QueryEvent.register("ns", "q", V, 10, 0L);
    assertThat(plain.hasThreshold()).isFalse();
    assertThat(plain.thresholdOrNull()).isNull();
    assertThatThrownBy(plain::threshold)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("hasThreshold()");

    QueryEvent alert = plain.withThreshold(0.8f);
    assertThat(alert.hasThreshold()).isTrue();
    assertThat(alert.threshold()).isEqualTo(0.8f);
    assertThat(alert.thresholdOrNull()).isEqualTo(0.8f);
    assertThat(alert).isNotEqualTo(plain);
    assertThat(plain.hasThreshold()).isFalse();

    assertThat(QueryEvent.of("ns", "q", QueryEvent.Op.REGISTER, V, 10, 0.8f, 0L)).isEqualTo(alert);
    assertThat(QueryEvent.of("ns", "q", QueryEvent.Op.REGISTER, V, 10, null, 0L)).isEqualTo(plain);
  }

  @Test
  void nanThresholdIsPresentNotAbsent() {
    QueryEvent q = QueryEvent.of("ns", "q", QueryEvent.Op.ONCE, V, 1, Float.NaN, 0L);
    assertThat(q.hasThreshold()).isTrue();
    assertThat(q.threshold()).isNaN();
  }

  @Test
  void cancelCarriesOnlyNamespaceIdAndTimestamp() {
    QueryEvent c = QueryEvent.of("ns", "q", QueryEvent.Op.CANCEL, V, 10, 0.5f, 9L);
    assertThat(c).isEqualTo(QueryEvent.cancel("ns", "q", 9L));
    assertThat(c.hasVector()).isFalse();
    assertThat(c.k()).isZero();
    assertThat(c.hasThreshold()).isFalse();
    assertThatThrownBy(() -> c.withThreshold(1f))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ONCE or REGISTER");
  }

  @Test
  void vectorIsCopiedInAndOut() {
    float[] v = V.clone();
    QueryEvent q = QueryEvent.once("ns", "q", v, 1, 0L);
    v[0] = 99f;
    q.vector()[0] = 99f;
    assertThat(q.vector()).containsExactly(1f, 2f, 3f);
  }

  @Test
  void strictFactoriesNameTheNullArgument() {
    assertThatThrownBy(() -> QueryEvent.once(null, "q", V, 1, 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("QueryEvent.once: namespace is null");
    assertThatThrownBy(() -> QueryEvent.register("ns", null, V, 1, 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("QueryEvent.register: id is null");
    assertThatThrownBy(() -> QueryEvent.register("ns", "q", null, 1, 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("vector is null");
    assertThatThrownBy(() -> QueryEvent.cancel("ns", null, 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("QueryEvent.cancel: id is null");
    assertThatThrownBy(() -> QueryEvent.of("ns", "q", null, V, 1, null, 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("op is null");
  }

  @Test
  void decoderFactoryKeepsBadFieldsForTheValidator() {
    QueryEvent q = QueryEvent.of(null, "", QueryEvent.Op.REGISTER, null, -3, null, 0L);
    assertThat(q.namespace()).isNull();
    assertThat(q.id()).isEmpty();
    assertThat(q.hasVector()).isFalse();
    assertThat(q.k()).isEqualTo(-3);
  }

  @Test
  void equalityCoversEveryField() {
    QueryEvent q = QueryEvent.register("ns", "q", V, 10, 1L).withThreshold(0.5f);
    assertThat(q)
        .isEqualTo(QueryEvent.register("ns", "q", V, 10, 1L).withThreshold(0.5f))
        .hasSameHashCodeAs(QueryEvent.register("ns", "q", V, 10, 1L).withThreshold(0.5f))
        .isNotEqualTo(QueryEvent.once("ns", "q", V, 10, 1L).withThreshold(0.5f))
        .isNotEqualTo(QueryEvent.register("ns", "q", V, 11, 1L).withThreshold(0.5f))
        .isNotEqualTo(QueryEvent.register("ns", "q", V, 10, 1L).withThreshold(0.6f))
        .isNotEqualTo(QueryEvent.register("ns", "q", V, 10, 1L))
        .isNotEqualTo(QueryEvent.register("ns", "q", new float[] {1f}, 10, 1L).withThreshold(0.5f))
        .isNotEqualTo(QueryEvent.register("ns", "q", V, 10, 2L).withThreshold(0.5f))
        .isNotEqualTo(QueryEvent.register("n", "q", V, 10, 1L).withThreshold(0.5f));
  }

  @Test
  void toStringIsReadable() {
    assertThat(QueryEvent.register("ns", "q", V, 10, 1L).withThreshold(0.5f))
        .hasToString(
            "QueryEvent{REGISTER namespace='ns' id='q' k=10 threshold=0.5"
                + " vector=[3]{1.0, 2.0, 3.0} timestamp=1}");
    assertThat(QueryEvent.cancel("ns", "q", 1L))
        .hasToString("QueryEvent{CANCEL namespace='ns' id='q' timestamp=1}");
  }
}
