package io.simjoin.connectors.codec;

import io.simjoin.connectors.WireFormat;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The codec of a wire format.
 *
 * <pre>{@code
 * EventCodec codec = EventCodecs.forFormat(WireFormat.parse(flags.get("format")));
 * }</pre>
 */
@PublicEvolving
public final class EventCodecs {
  private EventCodecs() {}

  /**
   * A new codec for the format; make one per thread, as {@link EventCodec} asks.
   *
   * @throws NullPointerException if format is null
   */
  public static EventCodec forFormat(WireFormat format) {
    Objects.requireNonNull(format, "EventCodecs.forFormat: format is null; use avro or json");
    return switch (format) {
      case JSON -> new JsonEventCodec();
      case AVRO -> new AvroEventCodec();
    };
  }
}
