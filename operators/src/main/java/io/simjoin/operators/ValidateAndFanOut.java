package io.simjoin.operators;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.validation.EventValidator;
import java.util.Optional;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The stateless checks, before any shuffle: what an event shows on its own (ids, k, threshold, NaN
 * components, size) is checked once here, so a bad query yields one dead letter rather than one per
 * shard.
 */
final class ValidateAndFanOut {
  private ValidateAndFanOut() {}

  /** Passes valid items on; bad ones become dead letters. */
  static final class Items extends ProcessFunction<ItemEvent, ItemEvent> {
    private static final long serialVersionUID = 1L;
    private final EventValidator validator;

    Items(EventValidator validator) {
      this.validator = validator;
    }

    @Override
    public void processElement(ItemEvent item, Context ctx, Collector<ItemEvent> out) {
      Optional<DeadLetter> bad = validator.checkItem(item);
      if (bad.isPresent()) {
        ctx.output(ShardJoin.DEAD_LETTERS, bad.get());
      } else {
        out.collect(item);
      }
    }
  }

  /**
   * Passes each valid query on once per shard of its namespace, tagged with the shard index: every
   * shard must search its own items and keep its own copy of a standing query.
   */
  static final class Queries extends ProcessFunction<QueryEvent, Tuple2<Integer, QueryEvent>> {
    private static final long serialVersionUID = 1L;
    private final EventValidator validator;
    private final int shards;

    Queries(EventValidator validator, int shards) {
      this.validator = validator;
      this.shards = shards;
    }

    @Override
    public void processElement(
        QueryEvent query, Context ctx, Collector<Tuple2<Integer, QueryEvent>> out) {
      Optional<DeadLetter> bad = validator.checkQuery(query);
      if (bad.isPresent()) {
        ctx.output(ShardJoin.DEAD_LETTERS, bad.get());
        return;
      }
      for (int s = 0; s < shards; s++) {
        out.collect(Tuple2.of(s, query));
      }
    }
  }
}
