package io.simjoin.operators.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * A keyed function under Flink's operator test harness, on a chosen state backend, with generic
 * types disabled; it can snapshot, and a new one can restore the snapshot.
 */
final class KeyedStateHarness implements AutoCloseable {

  /** One operation of a test, applied under {@link #key}. */
  record Op(String key, String verb, String arg, String value) {}

  /** The backends: the heap one hands out the stored objects, RocksDB fresh copies. */
  enum Backend {
    HASH_MAP,
    ROCKSDB;

    StateBackend create() {
      return this == HASH_MAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend();
    }
  }

  private final KeyedOneInputStreamOperatorTestHarness<String, Op, String> harness;

  private KeyedStateHarness(KeyedOneInputStreamOperatorTestHarness<String, Op, String> harness) {
    this.harness = harness;
  }

  /** Opens the function on empty state, or on {@code restore} when it is not null. */
  static KeyedStateHarness open(
      KeyedProcessFunction<String, Op, String> function,
      Backend backend,
      OperatorSubtaskState restore)
      throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, Op, String> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(function), Op::key, Types.STRING);
    h.setStateBackend(backend.create());
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    h.getExecutionConfig().configure(conf, KeyedStateHarness.class.getClassLoader());
    assertThat(h.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    return new KeyedStateHarness(h);
  }

  /** Processes the ops in order and returns what the function emitted for them. */
  List<String> process(List<Op> ops) throws Exception {
    harness.getOutput().clear();
    for (Op op : ops) {
      harness.processElement(op, 0L);
    }
    return harness.extractOutputValues();
  }

  OperatorSubtaskState snapshot(long checkpointId) throws Exception {
    return harness.snapshot(checkpointId, checkpointId);
  }

  /** How many keys hold anything in the named state: 0 means nothing is left of it anywhere. */
  long keysIn(String stateName) {
    KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
    try (Stream<String> keys = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
      return keys.count();
    }
  }

  /** Unchecked, so try-with-resources needs no InterruptedException handling. */
  @Override
  public void close() {
    try {
      harness.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("closing the operator test harness failed", e);
    }
  }
}
