package io.simjoin.operators.join;

import io.simjoin.operators.events.EventTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink type information for the records the join's operators exchange, handing Flink the
 * hand-written serializers so they never go through Kryo. Found through the {@link
 * org.apache.flink.api.common.typeinfo.TypeInfo} annotation of each record class; where Flink
 * cannot see the type (a lambda), pass it:
 *
 * <pre>{@code
 * DataStream<PartialTopK> partials = marks.map(this::toCancelMark).returns(JoinTypeInfo.PARTIAL_TOP_K);
 * }</pre>
 */
@PublicEvolving
public final class JoinTypeInfo {

  /** {@link PartialTopK}, serialized by {@link PartialTopKSerializer}. */
  public static final EventTypeInfo<PartialTopK> PARTIAL_TOP_K =
      EventTypeInfo.of(PartialTopK.class, PartialTopKSerializer.INSTANCE);

  private JoinTypeInfo() {}

  /** Named by {@link PartialTopK}'s {@code @TypeInfo}. */
  public static final class PartialTopKFactory extends TypeInfoFactory<PartialTopK> {
    @Override
    public TypeInformation<PartialTopK> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return PARTIAL_TOP_K;
    }
  }
}
