package io.simjoin.operators.events;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own contract tests for {@link QueryEventSerializer}. */
class QueryEventSerializerTest extends SerializerTestBase<QueryEvent> {

  @Override
  protected TypeSerializer<QueryEvent> createSerializer() {
    return QueryEventSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<QueryEvent> getTypeClass() {
    return QueryEvent.class;
  }

  @Override
  protected QueryEvent[] getTestData() {
    return Samples.queries();
  }
}
