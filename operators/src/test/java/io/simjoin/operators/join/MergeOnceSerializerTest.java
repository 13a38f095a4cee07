package io.simjoin.operators.join;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own contract tests for {@link MergeOnceSerializer}. */
class MergeOnceSerializerTest extends SerializerTestBase<MergeStore.Once> {

  MergeOnceSerializerTest() {
    super(JoinSamples.deepEquality());
  }

  @Override
  protected TypeSerializer<MergeStore.Once> createSerializer() {
    return MergeOnceSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<MergeStore.Once> getTypeClass() {
    return MergeStore.Once.class;
  }

  @Override
  protected MergeStore.Once[] getTestData() {
    return JoinSamples.onces();
  }
}
