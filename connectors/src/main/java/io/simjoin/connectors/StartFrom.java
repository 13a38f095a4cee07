package io.simjoin.connectors;

import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Where the sources start reading when the job starts without a checkpoint or savepoint (a restored
 * job always continues from the offsets in its checkpoint).
 */
@PublicEvolving
public enum StartFrom {
  /** The beginning of every partition: replays the whole topic. */
  EARLIEST,
  /** The end of every partition: only records produced from now on. */
  LATEST,
  /**
   * The consumer group's committed offsets (committed at each completed checkpoint), and the
   * beginning of partitions the group has none for. The default.
   */
  COMMITTED;

  /** The name used on the command line: {@code earliest}, {@code latest}, {@code committed}. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The value named {@code earliest}, {@code latest} or {@code committed} (any case).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static StartFrom parse(String name) {
    for (StartFrom s : values()) {
      if (s.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown start '" + name + "': use earliest, latest or committed (the default)");
  }

  @SuppressWarnings("deprecation") // the connector 5.0 API still takes the Kafka 3 enum
  OffsetsInitializer offsets() {
    return switch (this) {
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
      case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    };
  }
}
