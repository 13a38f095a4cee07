package io.simjoin.connectors;

import io.simjoin.operators.events.EventTypeInfo;
import io.simjoin.operators.events.Origin;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A Kafka record as bytes: what the sources emit before decoding, and what the encoders hand the
 * sink. Decoding happens in a function after the source rather than in the source's deserializer so
 * that a record that cannot be decoded can leave through a side output as a dead letter, with its
 * bytes and its topic, partition and offset, instead of failing the source.
 *
 * <pre>{@code
 * RawRecord in = RawRecord.read("items", 0, 17L, ts, key, value);   // from a consumer record
 * RawRecord out = RawRecord.toWrite("updates", key, value);        // for the sink; value null: a tombstone
 * }</pre>
 *
 * @param topic the topic read from or to write to
 * @param partition the partition read from; -1 for a record to write (the producer partitions by
 *     key)
 * @param offset the offset read from; -1 for a record to write
 * @param timestamp the record's timestamp read; {@link Long#MIN_VALUE} for a record to write (the
 *     producer stamps it)
 * @param key the key bytes, or null
 * @param value the value bytes, or null (a tombstone)
 */
@PublicEvolving
public record RawRecord(
    String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {

  /** Flink type information: {@link RawRecordSerializer}, never Kryo. */
  public static final TypeInformation<RawRecord> TYPE_INFO =
      EventTypeInfo.of(RawRecord.class, RawRecordSerializer.INSTANCE);

  /** No timestamp: the producer stamps the record when it sends it. */
  public static final long NO_TIMESTAMP = Long.MIN_VALUE;

  /**
   * @throws NullPointerException if topic is null
   */
  public RawRecord {
    Objects.requireNonNull(topic, "RawRecord: topic is null");
  }

  /** A record as it was read from Kafka. */
  public static RawRecord read(
      String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
    return new RawRecord(topic, partition, offset, timestamp, key, value);
  }

  /** A record to write; the producer picks the partition from the key and stamps the time. */
  public static RawRecord toWrite(String topic, byte[] key, byte[] value) {
    return new RawRecord(topic, -1, -1L, NO_TIMESTAMP, key, value);
  }

  /** Whether the value is null: on a compacted topic, a delete of the key. */
  public boolean isTombstone() {
    return value == null;
  }

  /** Where the record was read. */
  public Origin origin() {
    return new Origin(topic, partition, offset);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawRecord r
        && partition == r.partition
        && offset == r.offset
        && timestamp == r.timestamp
        && topic.equals(r.topic)
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Objects.hash(topic, partition, offset, timestamp) + Arrays.hashCode(key))
        + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "RawRecord{"
        + origin()
        + " key="
        + (key == null ? "null" : key.length + " bytes")
        + " value="
        + (value == null ? "null" : value.length + " bytes")
        + '}';
  }
}
