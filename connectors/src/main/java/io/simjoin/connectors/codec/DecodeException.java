package io.simjoin.connectors.codec;

import org.apache.flink.annotation.PublicEvolving;

/**
 * A record's bytes are not an event of the expected kind: not the wire format, an unknown schema, a
 * field of the wrong type, an unknown op. The message says what was wrong and what to fix; the
 * record becomes a dead letter ({@code DeadLetter.undecodable}) and the job goes on.
 */
@PublicEvolving
public final class DecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  public DecodeException(String message) {
    super(message);
  }

  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
