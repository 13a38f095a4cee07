package io.simjoin.operators.events;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own contract tests for {@link DeadLetterSerializer}. */
class DeadLetterSerializerTest extends SerializerTestBase<DeadLetter> {

  @Override
  protected TypeSerializer<DeadLetter> createSerializer() {
    return DeadLetterSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<DeadLetter> getTypeClass() {
    return DeadLetter.class;
  }

  @Override
  protected DeadLetter[] getTestData() {
    return Samples.deadLetters();
  }
}
