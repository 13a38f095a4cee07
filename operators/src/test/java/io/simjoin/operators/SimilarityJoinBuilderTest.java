package io.simjoin.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.operators.events.EventTypeInfo;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** {@link SimilarityJoin.Builder#build()} refuses bad settings with a message that says the fix. */
class SimilarityJoinBuilderTest {
  private final StreamExecutionEnvironment env =
      StreamExecutionEnvironment.getExecutionEnvironment();
  private final DataStream<ItemEvent> items =
      env.fromData(EventTypeInfo.ITEM_EVENT, ItemEvent.delete("ns", "i", 0L));
  private final DataStream<QueryEvent> queries =
      env.fromData(EventTypeInfo.QUERY_EVENT, QueryEvent.cancel("ns", "q", 0L));

  private SimilarityJoin.Result build(UnaryOperator<SimilarityJoin.Builder> settings) {
    return settings.apply(SimilarityJoin.builder().items(items).queries(queries)).build();
  }

  @Test
  void badSettingsSayWhatToSet() {
    assertThatThrownBy(() -> SimilarityJoin.builder().queries(queries).build())
        .hasMessageContaining("call items(");
    assertThatThrownBy(() -> SimilarityJoin.builder().items(items).build())
        .hasMessageContaining("call queries(");
    assertThatThrownBy(() -> build(b -> b.shards(0))).hasMessageContaining("shards must be");
    assertThatThrownBy(() -> build(b -> b.keptNodes(-1))).hasMessageContaining("keptNodes");
    assertThatThrownBy(() -> build(b -> b.bucketCapacity(1))).hasMessageContaining("at least 2");
    assertThatThrownBy(() -> build(b -> b.coalesceUpdates(Duration.ofMillis(-5))))
        .hasMessageContaining("coalesceUpdates must be Duration.ZERO (off) or at least 1 ms");
    assertThatThrownBy(() -> build(b -> b.coalesceUpdates(Duration.ofNanos(10))))
        .hasMessageContaining("at least 1 ms");
    assertThatThrownBy(() -> build(b -> b.coalesceUpdates(null)))
        .hasMessageContaining("coalesceUpdates");
  }

  @Test
  void everyStatefulOperatorHasItsStableUid() {
    SimilarityJoin.Result join = build(b -> b.coalesceUpdates(Duration.ofMillis(50)));
    assertThat(join.updates().getTransformation().getUid())
        .isEqualTo(SimilarityJoin.UID_TOPK_MERGE);
    Transformation<?> merge = join.updates().getTransformation();
    Transformation<?> shardJoin = merge.getInputs().get(0).getInputs().get(0);
    assertThat(shardJoin.getUid()).isEqualTo(SimilarityJoin.UID_SHARD_JOIN);
  }
}
