package io.simjoin.operators;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/**
 * Fails the task once, at a given record, but only after a checkpoint has completed: a test's way
 * to make a job restart from a checkpoint mid-stream. Static state: one use at a time per JVM.
 *
 * <pre>{@code
 * FailOnce.reset(records / 2);
 * stream.map(new FailOnce<>()).returns(stream.getType());
 * }</pre>
 */
public final class FailOnce<T> extends RichMapFunction<T, T> implements CheckpointListener {
  private static final long serialVersionUID = 1L;
  private static final AtomicBoolean FAILED = new AtomicBoolean();
  private static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
  private static volatile int failAt;
  private int seen;

  public static void reset(int at) {
    FAILED.set(false);
    CHECKPOINTED.set(false);
    failAt = at;
  }

  public static boolean failed() {
    return FAILED.get();
  }

  @Override
  public T map(T e) throws Exception {
    // Slow enough for checkpoints to happen while records flow; past the failure point, slower
    // still until one has completed (the task must not block: barriers pass between records).
    boolean due = ++seen >= failAt && !FAILED.get();
    Thread.sleep(due && !CHECKPOINTED.get() ? 10 : 1);
    if (due && CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
      throw new IllegalStateException("induced failure at record " + seen);
    }
    return e;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    CHECKPOINTED.set(true);
  }
}
