package io.simjoin.operators.events;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own contract tests for {@link ThresholdMatchSerializer}. */
class ThresholdMatchSerializerTest extends SerializerTestBase<ThresholdMatch> {

  @Override
  protected TypeSerializer<ThresholdMatch> createSerializer() {
    return ThresholdMatchSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<ThresholdMatch> getTypeClass() {
    return ThresholdMatch.class;
  }

  @Override
  protected ThresholdMatch[] getTestData() {
    return Samples.matches();
  }
}
