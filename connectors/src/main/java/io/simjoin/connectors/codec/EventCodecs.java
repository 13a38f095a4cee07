package io.simjoin.connectors.codec;

import io.simjoin.connectors.WireFormat;

/** Placeholder until the codecs are merged. */
public final class EventCodecs {
  private EventCodecs() {}

  public static EventCodec forFormat(WireFormat format) {
    if (format == WireFormat.AVRO) {
      return new AvroEventCodec();
    }
    throw new UnsupportedOperationException("codecs not merged yet: " + format);
  }
}
