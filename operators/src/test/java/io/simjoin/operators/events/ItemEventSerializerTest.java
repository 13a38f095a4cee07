package io.simjoin.operators.events;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own contract tests for {@link ItemEventSerializer}. */
class ItemEventSerializerTest extends SerializerTestBase<ItemEvent> {

  @Override
  protected TypeSerializer<ItemEvent> createSerializer() {
    return ItemEventSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<ItemEvent> getTypeClass() {
    return ItemEvent.class;
  }

  @Override
  protected ItemEvent[] getTestData() {
    return Samples.items();
  }
}
