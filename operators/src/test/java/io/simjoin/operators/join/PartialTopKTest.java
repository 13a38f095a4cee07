package io.simjoin.operators.join;

import static io.simjoin.operators.join.JoinSamples.matches;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.operators.events.EventTypeInfo;
import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class PartialTopKTest {

  @Test
  void aPartialKeepsItsFieldsAndCopiesItsMatches() {
    List<Match> list = new ArrayList<>(matches("a", 2f, "b", 1f));
    PartialTopK p =
        PartialTopK.partial("ns", "q", 3, 7L, 5, list, JoinOutput.Cause.ITEM_UPSERTED, "a", 9L);
    list.clear();
    assertThat(p.namespace()).isEqualTo("ns");
    assertThat(p.queryId()).isEqualTo("q");
    assertThat(p.shard()).isEqualTo(3);
    assertThat(p.epoch()).isEqualTo(7L);
    assertThat(p.k()).isEqualTo(5);
    assertThat(p.matches()).isEqualTo(matches("a", 2f, "b", 1f)).isUnmodifiable();
    assertThat(p.cause()).isEqualTo(JoinOutput.Cause.ITEM_UPSERTED);
    assertThat(p.itemId()).isEqualTo("a");
    assertThat(p.isCancelMark()).isFalse();
    assertThat(p.timestamp()).isEqualTo(9L);
  }

  @Test
  void aCancelMarkHasNoCauseNoMatchesAndKZero() {
    PartialTopK c = PartialTopK.cancelMark("ns", "q", 1, 7L, 9L);
    assertThat(c.isCancelMark()).isTrue();
    assertThat(c.cause()).isNull();
    assertThat(c.itemId()).isNull();
    assertThat(c.matches()).isEmpty();
    assertThat(c.k()).isZero();
    assertThat(c).isEqualTo(PartialTopK.cancelMark("ns", "q", 1, 7L, 9L));
    assertThat(c).isNotEqualTo(PartialTopK.cancelMark("ns", "q", 2, 7L, 9L));
    assertThat(c.toString()).contains("cancelMark");
  }

  @Test
  void theFactoryRefusesWhatTheMergeCouldNotUse() {
    assertThatThrownBy(
            () ->
                PartialTopK.partial(
                    "ns", "q", 0, 1L, 2, matches("a", 1f, "b", 2f), JoinOutput.Cause.ONCE, null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("best first");
    assertThatThrownBy(
            () ->
                PartialTopK.partial(
                    "ns", "q", 0, 1L, 1, matches("a", 2f, "b", 1f), JoinOutput.Cause.ONCE, null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 matches for k = 1");
    assertThatThrownBy(
            () ->
                PartialTopK.partial(
                    "ns", "q", -1, 1L, 1, List.of(), JoinOutput.Cause.ONCE, null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shard is -1");
    assertThatThrownBy(
            () ->
                PartialTopK.partial("ns", "q", 0, 1L, 0, List.of(), JoinOutput.Cause.ONCE, null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k is 0");
    assertThatThrownBy(() -> PartialTopK.partial("ns", "q", 0, 1L, 1, List.of(), null, null, 0))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("cancelMark");
  }

  @Test
  void theMergeKeyIsTheQueryKey() {
    PartialTopK p =
        PartialTopK.partial("ns", "q\u001fx", 0, 1L, 1, List.of(), JoinOutput.Cause.ONCE, null, 0);
    assertThat(p.mergeKey())
        .isEqualTo(JoinKeys.query("ns", "q\u001fx"))
        .isEqualTo("ns\u001fq\u001fx");
    assertThat(PartialTopK.cancelMark("ns", "q\u001fx", 2, 1L, 0).mergeKey())
        .isEqualTo(p.mergeKey());
    assertThat(JoinKeys.shard("ns", 12)).isEqualTo("ns\u001f12");
  }

  /** The key splits at the first separator, so only the namespace may not contain one. */
  @Test
  void aNamespaceWithTheSeparatorCannotBeKeyed() {
    assertThat(JoinKeys.isKeyable("a\u001fb")).isFalse();
    assertThat(JoinKeys.isKeyable("")).isTrue();
    assertThatThrownBy(() -> JoinKeys.query("a\u001fb", "c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a\\u001fb")
        .hasMessageContaining("dead-letter");
    assertThatThrownBy(() -> JoinKeys.shard("a\u001fb", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void flinkFindsTheSerializerWithGenericTypesDisabled() throws Exception {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    TypeInformation<PartialTopK> info = TypeInformation.of(PartialTopK.class);
    assertThat(info).isSameAs(JoinTypeInfo.PARTIAL_TOP_K);
    assertThat(info.createSerializer(config)).isSameAs(PartialTopKSerializer.INSTANCE);
    assertThat(info.isKeyType()).isFalse();

    MapFunction<String, PartialTopK> toMark =
        new MapFunction<>() {
          @Override
          public PartialTopK map(String queryId) {
            return PartialTopK.cancelMark("ns", queryId, 0, 0L, 0L);
          }
        };
    assertThat(TypeExtractor.getMapReturnTypes(toMark, Types.STRING))
        .isEqualTo(JoinTypeInfo.PARTIAL_TOP_K);

    EventTypeInfo<PartialTopK> copy = InstantiationUtil.clone(JoinTypeInfo.PARTIAL_TOP_K);
    assertThat(copy).isEqualTo(info).hasSameHashCodeAs(info);
    assertThat(copy.createSerializer(config)).isEqualTo(PartialTopKSerializer.INSTANCE);
  }
}
