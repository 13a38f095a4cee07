package io.simjoin.operators.events;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for the event types: it hands Flink the hand-written serializer, so the
 * events never go through Kryo and jobs can run with {@code pipeline.generic-types: false}.
 *
 * <p>Nothing needs to be done to use it: each event class carries a {@link
 * org.apache.flink.api.common.typeinfo.TypeInfo} annotation naming one of the factories below, so
 * {@code TypeInformation.of(ItemEvent.class)} and Flink's type extraction (the output type of a
 * {@code map} or a {@code ProcessFunction}) find it. Where Flink cannot see the type (a lambda
 * returning a generic type), pass it explicitly:
 *
 * <pre>{@code
 * DataStream<TopKUpdate> updates = raw.map(this::toUpdate).returns(EventTypeInfo.TOP_K_UPDATE);
 * }</pre>
 *
 * @param <T> the event type
 */
@PublicEvolving
public final class EventTypeInfo<T> extends TypeInformation<T> {

  private static final long serialVersionUID = 1L;

  /** {@link ItemEvent}, serialized by {@link ItemEventSerializer}. */
  public static final EventTypeInfo<ItemEvent> ITEM_EVENT =
      new EventTypeInfo<>(ItemEvent.class, ItemEventSerializer.INSTANCE);

  /** {@link QueryEvent}, serialized by {@link QueryEventSerializer}. */
  public static final EventTypeInfo<QueryEvent> QUERY_EVENT =
      new EventTypeInfo<>(QueryEvent.class, QueryEventSerializer.INSTANCE);

  /** {@link TopKUpdate}, serialized by {@link TopKUpdateSerializer}. */
  public static final EventTypeInfo<TopKUpdate> TOP_K_UPDATE =
      new EventTypeInfo<>(TopKUpdate.class, TopKUpdateSerializer.INSTANCE);

  /** {@link ThresholdMatch}, serialized by {@link ThresholdMatchSerializer}. */
  public static final EventTypeInfo<ThresholdMatch> THRESHOLD_MATCH =
      new EventTypeInfo<>(ThresholdMatch.class, ThresholdMatchSerializer.INSTANCE);

  /** {@link DeadLetter}, serialized by {@link DeadLetterSerializer}. */
  public static final EventTypeInfo<DeadLetter> DEAD_LETTER =
      new EventTypeInfo<>(DeadLetter.class, DeadLetterSerializer.INSTANCE);

  private final Class<T> typeClass;
  private final TypeSerializer<T> serializer;

  private EventTypeInfo(Class<T> typeClass, TypeSerializer<T> serializer) {
    this.typeClass = typeClass;
    this.serializer = serializer;
  }

  /** Type information for another record type of simjoin's that has a hand-written serializer. */
  public static <T> EventTypeInfo<T> of(Class<T> typeClass, TypeSerializer<T> serializer) {
    return new EventTypeInfo<>(typeClass, serializer);
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<T> getTypeClass() {
    return typeClass;
  }

  /** Events are not keys: operators key by fields of them (namespace, shard, query id). */
  @Override
  public boolean isKeyType() {
    return false;
  }

  /** The same serializer whatever the config says: it never needs Kryo or registered types. */
  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return serializer;
  }

  @Override
  public String toString() {
    return "EventTypeInfo<" + typeClass.getSimpleName() + ">";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof EventTypeInfo
        && ((EventTypeInfo<?>) obj).canEqual(this)
        && typeClass == ((EventTypeInfo<?>) obj).typeClass;
  }

  @Override
  public int hashCode() {
    return Objects.hash(EventTypeInfo.class, typeClass);
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof EventTypeInfo;
  }

  /** Named by {@link ItemEvent}'s {@code @TypeInfo}. */
  public static final class ItemEventFactory extends TypeInfoFactory<ItemEvent> {
    @Override
    public TypeInformation<ItemEvent> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return ITEM_EVENT;
    }
  }

  /** Named by {@link QueryEvent}'s {@code @TypeInfo}. */
  public static final class QueryEventFactory extends TypeInfoFactory<QueryEvent> {
    @Override
    public TypeInformation<QueryEvent> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return QUERY_EVENT;
    }
  }

  /** Named by {@link TopKUpdate}'s {@code @TypeInfo}. */
  public static final class TopKUpdateFactory extends TypeInfoFactory<TopKUpdate> {
    @Override
    public TypeInformation<TopKUpdate> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return TOP_K_UPDATE;
    }
  }

  /** Named by {@link ThresholdMatch}'s {@code @TypeInfo}. */
  public static final class ThresholdMatchFactory extends TypeInfoFactory<ThresholdMatch> {
    @Override
    public TypeInformation<ThresholdMatch> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return THRESHOLD_MATCH;
    }
  }

  /** Named by {@link DeadLetter}'s {@code @TypeInfo}. */
  public static final class DeadLetterFactory extends TypeInfoFactory<DeadLetter> {
    @Override
    public TypeInformation<DeadLetter> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return DEAD_LETTER;
    }
  }
}
