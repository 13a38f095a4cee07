package io.simjoin.operators.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.operators.validation.EventValidator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** Flink finds the hand-written serializers on its own, and never needs Kryo for the events. */
class EventTypeInfoTest {

  private static final Map<Class<?>, TypeSerializer<?>> SERIALIZERS =
      Map.of(
          ItemEvent.class, ItemEventSerializer.INSTANCE,
          QueryEvent.class, QueryEventSerializer.INSTANCE,
          TopKUpdate.class, TopKUpdateSerializer.INSTANCE,
          ThresholdMatch.class, ThresholdMatchSerializer.INSTANCE,
          DeadLetter.class, DeadLetterSerializer.INSTANCE);

  private static SerializerConfig noGenericTypes() {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    return config;
  }

  @Test
  void typeInformationOfEachEventGivesItsSerializerWithGenericTypesDisabled() {
    SERIALIZERS.forEach(
        (type, serializer) -> {
          TypeInformation<?> info = TypeInformation.of(type);
          assertThat(info).as(type.getSimpleName()).isInstanceOf(EventTypeInfo.class);
          assertThat(info.getTypeClass()).isEqualTo(type);
          assertThat(info.createSerializer(noGenericTypes())).isSameAs(serializer);
        });
    assertThat(TypeInformation.of(ItemEvent.class)).isSameAs(EventTypeInfo.ITEM_EVENT);
  }

  /**
   * The control: without the annotation Flink would fall back to Kryo, which the config forbids.
   */
  @Test
  void anUnannotatedClassWouldNeedKryo() {
    TypeInformation<Unannotated> info = TypeInformation.of(Unannotated.class);
    assertThat(info).isInstanceOf(GenericTypeInfo.class);
    assertThatThrownBy(() -> info.createSerializer(noGenericTypes()))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("Generic types have been disabled");
  }

  @Test
  void typeExtractionFindsEventsAsFunctionOutputs() {
    MapFunction<String, TopKUpdate> toUpdate =
        new MapFunction<>() {
          @Override
          public TopKUpdate map(String queryId) {
            return TopKUpdate.of("ns", queryId, 0L, List.of(), UpdateCause.once(), 0L);
          }
        };
    assertThat(TypeExtractor.getMapReturnTypes(toUpdate, Types.STRING))
        .isEqualTo(EventTypeInfo.TOP_K_UPDATE);
  }

  @Test
  void dataStreamsOfEventsNeedNoGenericTypes() throws Exception {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    SerializerConfig config = env.getConfig().getSerializerConfig();
    assertThat(config.hasGenericTypesDisabled()).isTrue();

    // fromData serializes its elements into the job graph with the stream's serializer
    DataStream<ItemEvent> items = env.fromData(Samples.items());
    assertThat(items.getType()).isEqualTo(EventTypeInfo.ITEM_EVENT);
    assertThat(items.getType().createSerializer(config)).isSameAs(ItemEventSerializer.INSTANCE);

    EventValidator validator = EventValidator.builder().build();
    DataStream<DeadLetter> rejected =
        items.flatMap(
            (ItemEvent e, Collector<DeadLetter> out) ->
                validator.checkItem(e).ifPresent(out::collect),
            EventTypeInfo.DEAD_LETTER);
    assertThat(rejected.getType().createSerializer(config)).isSameAs(DeadLetterSerializer.INSTANCE);
  }

  @Test
  void typeInformationIsSerializableAndEqualByType() throws Exception {
    for (EventTypeInfo<?> info :
        List.of(
            EventTypeInfo.ITEM_EVENT,
            EventTypeInfo.QUERY_EVENT,
            EventTypeInfo.TOP_K_UPDATE,
            EventTypeInfo.THRESHOLD_MATCH,
            EventTypeInfo.DEAD_LETTER)) {
      EventTypeInfo<?> copy = InstantiationUtil.clone(info);
      assertThat(copy).isEqualTo(info).hasSameHashCodeAs(info);
      assertThat(copy.createSerializer(noGenericTypes()))
          .isEqualTo(SERIALIZERS.get(copy.getTypeClass()));
      assertThat(info.isKeyType()).isFalse();
    }
    assertThat(EventTypeInfo.ITEM_EVENT).isNotEqualTo(EventTypeInfo.QUERY_EVENT);
    assertThat(EventTypeInfo.ITEM_EVENT).hasToString("EventTypeInfo<ItemEvent>");
  }

  /** Final fields and no default constructor: not a POJO, so Flink would pick Kryo. */
  static final class Unannotated {
    final String id;

    Unannotated(String id) {
      this.id = id;
    }
  }
}
