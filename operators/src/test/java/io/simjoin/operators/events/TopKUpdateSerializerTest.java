package io.simjoin.operators.events;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own contract tests for {@link TopKUpdateSerializer}. */
class TopKUpdateSerializerTest extends SerializerTestBase<TopKUpdate> {

  @Override
  protected TypeSerializer<TopKUpdate> createSerializer() {
    return TopKUpdateSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<TopKUpdate> getTypeClass() {
    return TopKUpdate.class;
  }

  @Override
  protected TopKUpdate[] getTestData() {
    return Samples.updates();
  }
}
