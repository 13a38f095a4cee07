package io.simjoin.operators;

import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.join.FlinkShardState;
import io.simjoin.operators.join.PartialTopK;
import io.simjoin.state.flink.MapStateNodeStore;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs {@link ShardJoin} and, when it coalesces updates, decides when its pending partials go out:
 * after the coalescing interval (a processing-time timer), when too many are pending, before every
 * checkpoint barrier and at the end of the input. The pending set is never in a checkpoint: it is
 * always empty when the barrier passes, so a restore loses nothing and replays nothing.
 *
 * <p>It also lets the join keep its tree accesses open over the events of one key, and closes them
 * (writing what they changed) when the key changes, before every barrier and at the end: with one
 * or two shards per subtask a bucket is then encoded and written to RocksDB about once per
 * checkpoint instead of at every insert.
 *
 * <p>This is the bundle pattern of Flink's own mini-batch operators ({@code MapBundleOperator}
 * flushes in {@code prepareSnapshotPreBarrier} and {@code finish} too); a plain {@code
 * KeyedCoProcessFunction} cannot emit before a barrier, hence the operator.
 *
 * <pre>{@code
 * connected.transform("ShardJoin", JoinTypeInfo.PARTIAL_TOP_K,
 *     new ShardJoinOperator(new ShardJoin(validator, 64, 2048, 100)));
 * }</pre>
 */
public final class ShardJoinOperator
    extends KeyedCoProcessOperator<String, ItemEvent, Tuple2<Integer, QueryEvent>, PartialTopK> {
  private static final long serialVersionUID = 1L;

  private transient CoalescingTrigger<PartialTopK> trigger;

  public ShardJoinOperator(ShardJoin join) {
    super(join);
  }

  @Override
  public void open() throws Exception {
    join().spanAccessesOverEvents();
    join().alertsTo(match -> output.collect(ShardJoin.ALERTS, new StreamRecord<>(match)));
    super.open();
    countRestoredShards();
    trigger = CoalescingTrigger.of(join(), getProcessingTimeService(), this::setCurrentKey, output);
  }

  /**
   * Seeds the size gauges with every shard this subtask restored, so they are right before the
   * shards see their next event. Runs once, at open: iterating state keys is no hot path.
   */
  private void countRestoredShards() {
    ShardJoin join = join();
    Set<String> keys = new TreeSet<>();
    for (String state :
        List.of(
            MapStateNodeStore.metaDescriptor(ShardJoin.ITEM_TREE).getName(),
            FlinkShardState.COUNT_STATE)) {
      try (Stream<String> s =
          this.<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
        s.forEach(keys::add);
      }
    }
    for (String key : keys) {
      setCurrentKey(key);
      join.countShard(key);
    }
  }

  /**
   * Before the keyed state moves to another key (the next event's, a timer's, a flush's), writes
   * the tree changes the join holds for the key it is at now: they must land under that key.
   */
  @Override
  public void setCurrentKey(Object key) {
    ShardJoin join = join();
    if (join.accessKey() != null && !join.accessKey().equals(key)) {
      join.closeAccesses();
    }
    super.setCurrentKey(key);
  }

  private ShardJoin join() {
    return (ShardJoin) userFunction;
  }

  @Override
  public void processElement1(StreamRecord<ItemEvent> element) throws Exception {
    super.processElement1(element);
    trigger.afterEvent();
  }

  @Override
  public void processElement2(StreamRecord<Tuple2<Integer, QueryEvent>> element) throws Exception {
    super.processElement2(element);
    trigger.afterEvent();
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    // held items are applied first, which changes the trees; then the trees are written
    trigger.flush(true);
    join().closeAccesses();
  }

  /**
   * Writes the tree changes still held before the function and the keyed state are snapshotted: the
   * runtime has already done so in {@link #prepareSnapshotPreBarrier}, but a snapshot taken without
   * it (a test harness) must be complete too. The keyed state is still at the held key.
   */
  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    join().closeAccesses();
    super.snapshotState(context);
  }

  @Override
  public void finish() throws Exception {
    trigger.flush(true);
    join().closeAccesses();
    super.finish();
  }
}
