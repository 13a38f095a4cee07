package io.simjoin.operators.join;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own contract tests for {@link StandingQuerySerializer}. */
class StandingQuerySerializerTest extends SerializerTestBase<StandingQuery> {

  StandingQuerySerializerTest() {
    super(JoinSamples.deepEquality());
  }

  @Override
  protected TypeSerializer<StandingQuery> createSerializer() {
    return StandingQuerySerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<StandingQuery> getTypeClass() {
    return StandingQuery.class;
  }

  @Override
  protected StandingQuery[] getTestData() {
    return JoinSamples.standingQueries();
  }
}
