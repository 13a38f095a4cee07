package io.simjoin.operators;

import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.join.PartialTopK;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs {@link TopKMerge} and, when it coalesces, decides when its absorbed partials are merged and
 * sent (see {@link CoalescingTrigger}): after the interval, when too many are held, before every
 * checkpoint barrier and at the end of the input — the same schedule as {@link ShardJoinOperator}.
 *
 * <pre>{@code
 * partials.keyBy(PartialTopK::mergeKey, Types.STRING)
 *     .transform("TopKMerge", EventTypeInfo.TOP_K_UPDATE, new TopKMergeOperator(new TopKMerge(8, 100)));
 * }</pre>
 */
public final class TopKMergeOperator extends KeyedProcessOperator<String, PartialTopK, TopKUpdate> {
  private static final long serialVersionUID = 1L;

  private transient CoalescingTrigger<TopKUpdate> trigger;

  public TopKMergeOperator(TopKMerge merge) {
    super(merge);
  }

  @Override
  public void open() throws Exception {
    super.open();
    trigger =
        CoalescingTrigger.of(
            (TopKMerge) userFunction, getProcessingTimeService(), this::setCurrentKey, output);
  }

  @Override
  public void processElement(StreamRecord<PartialTopK> element) throws Exception {
    super.processElement(element);
    trigger.afterEvent();
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    trigger.flush(true);
  }

  @Override
  public void finish() throws Exception {
    trigger.flush(true);
    super.finish();
  }
}
