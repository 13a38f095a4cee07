package io.simjoin.operators.events;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What simjoin's hand-written serializers share: they hold no state, so a duplicate is the same
 * serializer and two are equal when their classes are; reuse objects are ignored. By default the
 * type is immutable and a copy is the same object; serializers of mutable types (the merge state)
 * override {@link #isImmutableType()} and {@link #copy(Object)}.
 */
public abstract class EventSerializer<T> extends TypeSerializer<T> {

  private static final long serialVersionUID = 1L;

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public final TypeSerializer<T> duplicate() {
    return this;
  }

  @Override
  public T copy(T from) {
    return from;
  }

  @Override
  public final T copy(T from, T reuse) {
    return copy(from);
  }

  @Override
  public final int getLength() {
    return -1;
  }

  @Override
  public final T deserialize(T reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  /**
   * Decodes and re-encodes rather than copying field by field: this path is rare in streaming
   * (spilling, not record exchange) and cannot drift from the format this way.
   */
  @Override
  public final void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public final boolean equals(Object obj) {
    return obj != null && obj.getClass() == getClass();
  }

  @Override
  public final int hashCode() {
    return getClass().hashCode();
  }
}
