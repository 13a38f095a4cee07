package io.simjoin.operators.join;

import org.apache.flink.util.FlinkRuntimeException;

/** Keyed state access declares {@code Exception}; the join's store interfaces do not. */
final class StateFailures {

  private StateFailures() {}

  /** The failure unchanged when it is unchecked, else wrapped with the state's name. */
  static RuntimeException of(String state, Exception e) {
    if (e instanceof RuntimeException) {
      return (RuntimeException) e;
    }
    return new FlinkRuntimeException("simjoin: cannot access keyed state '" + state + "'", e);
  }
}
