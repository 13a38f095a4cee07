/**
 * The events simjoin's operators consume and emit, independent of Avro and Kafka, with their Flink
 * serializers.
 *
 * <p>In: {@link io.simjoin.operators.events.ItemEvent} (items upserted and deleted) and {@link
 * io.simjoin.operators.events.QueryEvent} (ONCE, REGISTER, CANCEL). Out: {@link
 * io.simjoin.operators.events.TopKUpdate} (a query's current exact top-k, an upsert keyed by
 * namespace and query id), {@link io.simjoin.operators.events.ThresholdMatch} (alerts and their
 * retractions) and {@link io.simjoin.operators.events.DeadLetter} (rejected input, with a reason
 * and a message that says what to fix).
 *
 * <p>All are immutable, and each has a hand-written {@link
 * org.apache.flink.api.common.typeutils.TypeSerializer} with a versioned {@link
 * io.simjoin.state.flink.VersionedSerializerSnapshot}, found by Flink through {@link
 * io.simjoin.operators.events.EventTypeInfo}: no Kryo, and state and savepoints can evolve.
 *
 * <p>The input events can carry invalid data, exactly as a decoder read it; {@link
 * io.simjoin.operators.validation.EventValidator} decides what is accepted.
 */
package io.simjoin.operators.events;
