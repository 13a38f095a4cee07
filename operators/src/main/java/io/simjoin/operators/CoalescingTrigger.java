package io.simjoin.operators;

import java.util.function.Consumer;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.Collector;

/**
 * When a coalescing operator ({@link ShardJoinOperator}, {@link TopKMergeOperator}) sends what its
 * function holds: once the interval since the first held change is over (a processing-time timer),
 * at once when too much is held, and — called by the operator — before every checkpoint barrier and
 * at the end of the input, so nothing held is ever part of a checkpoint. Held state writes go
 * through only in the last three cases: the keyed state must be right at a checkpoint, not at every
 * interval, and in between the function reads its own held values.
 *
 * @param <OUT> what the function emits
 */
final class CoalescingTrigger<OUT> {

  /** A keyed function that holds changes between events and sends them when told to. */
  interface Holder<OUT> {
    /** The interval in milliseconds; 0 when the function holds nothing. */
    long coalesceMillis();

    /** Whether changes wait to be sent. */
    boolean hasPending();

    /** Whether so much is held (changes or state writes) that it must all go now. */
    boolean pendingIsFull();

    /**
     * Sends every held change, calling {@code setKey} with a key before touching its state.
     *
     * @param out the operator's output
     * @param persist also write every held state change through to the keyed state
     */
    void flushPending(Consumer<String> setKey, Collector<OUT> out, boolean persist);
  }

  private final Holder<OUT> holder;
  private final ProcessingTimeService time;
  private final Consumer<String> setKey;
  private final Collector<OUT> out;
  private boolean timerSet;

  private CoalescingTrigger(
      Holder<OUT> holder, ProcessingTimeService time, Consumer<String> setKey, Collector<OUT> out) {
    this.holder = holder;
    this.time = time;
    this.setKey = setKey;
    this.out = out;
  }

  /**
   * The trigger of an operator whose function is {@code holder}; what is flushed goes to the
   * operator's output without a timestamp, as it is not any one input record's.
   */
  static <OUT> CoalescingTrigger<OUT> of(
      Holder<OUT> holder,
      ProcessingTimeService time,
      Consumer<String> setKey,
      Output<StreamRecord<OUT>> output) {
    TimestampedCollector<OUT> out = new TimestampedCollector<>(output);
    out.eraseTimestamp();
    return new CoalescingTrigger<>(holder, time, setKey, out);
  }

  /** After each event: flush everything when full, else make sure a timer will send changes. */
  void afterEvent() {
    if (holder.pendingIsFull()) {
      flush(true);
    } else if (holder.hasPending() && !timerSet) {
      timerSet = true;
      time.registerTimer(
          time.getCurrentProcessingTime() + holder.coalesceMillis(), t -> flush(false));
    }
  }

  /**
   * Sends the held changes; with {@code persist}, as the operator asks before a barrier and at the
   * end, also writes the held state through.
   */
  void flush(boolean persist) {
    // A timer still set after an earlier flush fires early for the next bundle: harmless.
    timerSet = false;
    holder.flushPending(setKey, out, persist);
  }
}
