package io.simjoin.operators.join;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own contract tests for {@link PartialTopKSerializer}. */
class PartialTopKSerializerTest extends SerializerTestBase<PartialTopK> {

  @Override
  protected TypeSerializer<PartialTopK> createSerializer() {
    return PartialTopKSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<PartialTopK> getTypeClass() {
    return PartialTopK.class;
  }

  @Override
  protected PartialTopK[] getTestData() {
    return JoinSamples.partials();
  }
}
