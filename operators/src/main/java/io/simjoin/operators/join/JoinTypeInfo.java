package io.simjoin.operators.join;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for the records the join's operators exchange: it hands Flink the
 * hand-written serializer, so they never go through Kryo and jobs run with {@code
 * pipeline.generic-types: false}. Found through the {@link
 * org.apache.flink.api.common.typeinfo.TypeInfo} annotation of each record class; where Flink
 * cannot see the type (a lambda), pass it:
 *
 * <pre>{@code
 * DataStream<PartialTopK> partials = marks.map(this::toCancelMark).returns(JoinTypeInfo.PARTIAL_TOP_K);
 * }</pre>
 *
 * @param <T> the record type
 */
@PublicEvolving
public final class JoinTypeInfo<T> extends TypeInformation<T> {

  private static final long serialVersionUID = 1L;

  /** {@link PartialTopK}, serialized by {@link PartialTopKSerializer}. */
  public static final JoinTypeInfo<PartialTopK> PARTIAL_TOP_K =
      new JoinTypeInfo<>(PartialTopK.class, PartialTopKSerializer.INSTANCE);

  private final Class<T> typeClass;
  private final TypeSerializer<T> serializer;

  private JoinTypeInfo(Class<T> typeClass, TypeSerializer<T> serializer) {
    this.typeClass = typeClass;
    this.serializer = serializer;
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

  /** Operators key by a string built from fields ({@link PartialTopK#mergeKey()}), not by these. */
  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return serializer;
  }

  @Override
  public String toString() {
    return "JoinTypeInfo<" + typeClass.getSimpleName() + ">";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof JoinTypeInfo
        && ((JoinTypeInfo<?>) obj).canEqual(this)
        && typeClass == ((JoinTypeInfo<?>) obj).typeClass;
  }

  @Override
  public int hashCode() {
    return Objects.hash(JoinTypeInfo.class, typeClass);
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof JoinTypeInfo;
  }

  /** Named by {@link PartialTopK}'s {@code @TypeInfo}. */
  public static final class PartialTopKFactory extends TypeInfoFactory<PartialTopK> {
    @Override
    public TypeInformation<PartialTopK> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return PARTIAL_TOP_K;
    }
  }
}
