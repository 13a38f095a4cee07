package io.simjoin.operators.events;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Where an input record was read: its Kafka topic, partition and offset. A decoder attaches it to
 * the event ({@link ItemEvent#withOrigin}, {@link QueryEvent#withOrigin}) and every dead letter
 * made from that event carries it, so a rejected record can be found and replayed wherever in the
 * job it was rejected (validation, or a shard that knows the namespace's dimension).
 *
 * <pre>{@code
 * ItemEvent e = decoded.withOrigin(new Origin(record.topic(), record.partition(), record.offset()));
 * deadLetter.origin().ifPresent(o -> log.warn("bad record at {}", o));   // items-0@17
 * }</pre>
 *
 * @param topic the topic, non-null
 * @param partition the partition
 * @param offset the record's offset in the partition
 */
@PublicEvolving
public record Origin(String topic, int partition, long offset) {

  /**
   * @throws NullPointerException if topic is null
   */
  public Origin {
    Objects.requireNonNull(topic, "Origin: topic is null");
  }

  /** {@code topic-partition@offset}, the way Kafka's tools name a record. */
  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
