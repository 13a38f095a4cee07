package io.simjoin.operators.join;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own contract tests for {@link MergeStandingSerializer}. */
class MergeStandingSerializerTest extends SerializerTestBase<MergeStore.Standing> {

  MergeStandingSerializerTest() {
    super(JoinSamples.deepEquality());
  }

  @Override
  protected TypeSerializer<MergeStore.Standing> createSerializer() {
    return MergeStandingSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<MergeStore.Standing> getTypeClass() {
    return MergeStore.Standing.class;
  }

  @Override
  protected MergeStore.Standing[] getTestData() {
    return JoinSamples.standings();
  }
}
