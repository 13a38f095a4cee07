package io.simjoin.connectors;

import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * How the values of simjoin's topics are encoded; one format per job, for all five topics.
 *
 * <pre>{@code
 * WireFormat f = WireFormat.parse("json");   // from a flag or a config value
 * }</pre>
 */
@PublicEvolving
public enum WireFormat {
  /**
   * Avro single-object encoding (marker {@code C3 01}, the writer schema's 64-bit fingerprint, the
   * binary body) with the schemas of the {@code schemas} module: compact, and each record names its
   * schema version, so readers resolve old and new writers without a registry.
   */
  AVRO,
  /** One JSON object per record, with the field names of the events: typed by hand, read by eye. */
  JSON;

  /** The name used on the command line and in configuration: {@code avro} or {@code json}. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The format named {@code avro} or {@code json} (any case).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static WireFormat parse(String name) {
    for (WireFormat f : values()) {
      if (f.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown format '" + name + "': use avro (the default) or json");
  }
}
