package io.simjoin.operators;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.EventTypeInfo;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.join.JoinKeys;
import io.simjoin.operators.join.JoinTypeInfo;
import io.simjoin.operators.join.PartialTopK;
import io.simjoin.operators.validation.EventValidator;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The exact streaming top-k maximum-inner-product join as a DataStream operator graph.
 *
 * <pre>{@code
 * SimilarityJoin.Result join =
 *     SimilarityJoin.builder()
 *         .items(itemStream)       // DataStream<ItemEvent>: upserts and deletes
 *         .queries(queryStream)    // DataStream<QueryEvent>: ONCE, REGISTER, CANCEL
 *         .shards(8)               // shards per namespace: the unit of parallelism
 *         .maxK(1000)
 *         .build();
 * join.updates().sinkTo(...);      // TopKUpdate: every query's top-k, kept current
 * join.alerts().sinkTo(...);       // ThresholdMatch: alerts and their retractions
 * join.deadLetters().sinkTo(...);  // DeadLetter: what was refused, and why
 * }</pre>
 *
 * <p>Topology: items are keyed by {@code (namespace, hash(id) mod shards)}; each query goes to all
 * shards of its namespace; {@link ShardJoin} keeps the cover trees in keyed state (RocksDB with the
 * embedded RocksDB state backend) and emits partial top-k lists, which {@link TopKMerge}, keyed by
 * {@code (namespace, query id)}, merges. Every stateful operator has a stable uid, so savepoints
 * restore across job changes and rescaling (shards stay fixed; parallelism may change).
 */
@PublicEvolving
public final class SimilarityJoin {
  /** uids of the stateful operators: part of the savepoint contract, never change them. */
  public static final String UID_VALIDATE_ITEMS = "simjoin-validate-items";

  public static final String UID_VALIDATE_QUERIES = "simjoin-validate-queries";
  public static final String UID_SHARD_JOIN = "simjoin-shard-join";
  public static final String UID_TOPK_MERGE = "simjoin-topk-merge";

  /** Shards per namespace unless {@code shards} says. */
  public static final int DEFAULT_SHARDS = 4;

  /** Decoded tree nodes a ShardJoin subtask keeps per tree unless {@code keptNodes} says. */
  public static final int DEFAULT_KEPT_NODES = 2048;

  private SimilarityJoin() {}

  /**
   * The shard of an item: {@code String.hashCode} is specified by the Java language, so every JVM
   * of a cluster, and every restart, agrees.
   */
  static int shardOf(String itemId, int shards) {
    return Math.floorMod(itemId.hashCode(), shards);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The three output streams of a join. */
  public record Result(
      DataStream<TopKUpdate> updates,
      DataStream<ThresholdMatch> alerts,
      DataStream<DeadLetter> deadLetters) {}

  /** Configures a join; {@link #build()} checks the settings and says what to fix. */
  public static final class Builder {
    private DataStream<ItemEvent> items;
    private DataStream<QueryEvent> queries;
    private int shards = DEFAULT_SHARDS;
    private int maxK = EventValidator.DEFAULT_MAX_K;
    private int maxDimension = EventValidator.DEFAULT_MAX_DIMENSION;
    private int maxStandingQueries = EventValidator.DEFAULT_MAX_STANDING_QUERIES_PER_NAMESPACE;
    private int bucketCapacity = 64;
    private int keptNodes = DEFAULT_KEPT_NODES;
    private Duration coalesceUpdates = Duration.ZERO;

    private Builder() {}

    /** The item stream (required). */
    public Builder items(DataStream<ItemEvent> items) {
      this.items = items;
      return this;
    }

    /** The query stream (required). */
    public Builder queries(DataStream<QueryEvent> queries) {
      this.queries = queries;
      return this;
    }

    /**
     * Shards per namespace (default 4): items of a namespace are spread over this many keys, and
     * each query is searched in all of them. More shards spread a large namespace over more
     * subtasks, but each shard keeps its own partial top-k of every standing query, with a lower
     * bar than the global one: partial changes grow about S-fold and each item's reverse search
     * finds more candidates. Use as many shards as the namespace needs subtasks, not more (on two
     * cores, {@code bench --e2e} with 10,000 standing queries ran fastest with one). Keep it fixed
     * for the life of a job (a savepoint restores only with the same value).
     */
    public Builder shards(int shards) {
      this.shards = shards;
      return this;
    }

    /** Largest k a query may ask for (default {@value EventValidator#DEFAULT_MAX_K}). */
    public Builder maxK(int maxK) {
      this.maxK = maxK;
      return this;
    }

    /**
     * Largest vector dimension accepted (default {@value EventValidator#DEFAULT_MAX_DIMENSION}).
     */
    public Builder maxDimension(int maxDimension) {
      this.maxDimension = maxDimension;
      return this;
    }

    /** Most standing queries per namespace; a REGISTER beyond it is a dead letter. */
    public Builder maxStandingQueriesPerNamespace(int maxStandingQueries) {
      this.maxStandingQueries = maxStandingQueries;
      return this;
    }

    /**
     * Points per leaf bucket of the state-backed trees (default 64): one bucket is one RocksDB
     * value, rewritten when a point enters it, so smaller than the heap tree's default.
     */
    public Builder bucketCapacity(int bucketCapacity) {
      this.bucketCapacity = bucketCapacity;
      return this;
    }

    /**
     * Decoded tree nodes each ShardJoin subtask keeps in memory across events, per tree (default
     * 2048): a node read from RocksDB is a JNI call and a full decode, and the busy part of a
     * shard's trees is read by every event. Memory is about {@code keptNodes × bucketCapacity ×
     * dimension × 4} bytes per tree at most; 0 keeps none. Dropped at every checkpoint.
     */
    public Builder keptNodes(int keptNodes) {
      this.keptNodes = keptNodes;
      return this;
    }

    /**
     * Coalesces the updates item changes cause (default {@link Duration#ZERO}: every change of a
     * standing query's top-k is emitted). With an interval, each shard sends a query's changed
     * partial top-k at most once per interval, as it is then, and the merge sends the query's
     * update at most once per interval; both also send what they hold before every checkpoint
     * barrier and at the end of the input, so nothing held is ever in a checkpoint. Changes that
     * follow each other within the interval therefore reach the output as one update, which may
     * wait up to about twice the interval longer. Each update is still the exact top-k of the items
     * the join had seen when it was made, the last one of a query is its current top-k (a
     * log-compacted topic holds the same), and {@code seq} still grows by one per update.
     * Registrations, one-shot answers and cancels are never held back; a query's held change goes
     * out before them. Worth it when many top-k lists change at once, as when standing queries are
     * registered before a catalogue is loaded (then every early item enters every top-k). It also
     * keeps changed standing queries and merge entries in memory and writes them to the keyed state
     * once per checkpoint instead of at every change, and each shard holds new items (up to 4096
     * per subtask, in memory only) and applies them together at the interval, before a barrier, at
     * the end of the input and before any other event of the shard: one reverse search screens each
     * reached bucket for all of them, and a query takes the batch's best items in one change
     * instead of one per item (see {@code ShardJoinCore#upsertNewItems}).
     *
     * <pre>{@code
     * SimilarityJoin.builder().items(items).queries(queries).coalesceUpdates(Duration.ofMillis(100))
     * }</pre>
     */
    public Builder coalesceUpdates(Duration interval) {
      this.coalesceUpdates = interval;
      return this;
    }

    public Result build() {
      if (items == null) {
        throw new IllegalArgumentException("no item stream: call items(DataStream<ItemEvent>)");
      }
      if (queries == null) {
        throw new IllegalArgumentException("no query stream: call queries(DataStream<QueryEvent>)");
      }
      if (shards < 1) {
        throw new IllegalArgumentException("shards must be at least 1, got " + shards);
      }
      if (keptNodes < 0) {
        throw new IllegalArgumentException("keptNodes must be 0 or more, got " + keptNodes);
      }
      if (coalesceUpdates == null
          || coalesceUpdates.isNegative()
          || !coalesceUpdates.isZero() && coalesceUpdates.toMillis() == 0) {
        throw new IllegalArgumentException(
            "coalesceUpdates must be Duration.ZERO (off) or at least 1 ms, got " + coalesceUpdates);
      }
      if (bucketCapacity < 2) {
        throw new IllegalArgumentException(
            "bucketCapacity must be at least 2, got " + bucketCapacity);
      }
      EventValidator validator =
          EventValidator.builder()
              .maxK(maxK)
              .maxDimension(maxDimension)
              .maxStandingQueriesPerNamespace(maxStandingQueries)
              .build();
      int s = shards;

      // The stateless steps run at their input's parallelism: the edge stays a forward one, so
      // the events of one item (or query) keep their order. A rebalance here would let a DELETE
      // overtake its UPSERT.
      SingleOutputStreamOperator<ItemEvent> validItems =
          items
              .process(new ValidateAndFanOut.Items(validator), EventTypeInfo.ITEM_EVENT)
              .setParallelism(items.getParallelism())
              .uid(UID_VALIDATE_ITEMS)
              .name("Validate items");
      TypeInformation<Tuple2<Integer, QueryEvent>> tagged =
          Types.TUPLE(Types.INT, EventTypeInfo.QUERY_EVENT);
      SingleOutputStreamOperator<Tuple2<Integer, QueryEvent>> fannedQueries =
          queries
              .process(new ValidateAndFanOut.Queries(validator, s), tagged)
              .setParallelism(queries.getParallelism())
              .uid(UID_VALIDATE_QUERIES)
              .name("Validate queries, fan out to shards");

      SingleOutputStreamOperator<PartialTopK> partials =
          validItems
              .keyBy(i -> JoinKeys.shard(i.namespace(), shardOf(i.id(), s)), Types.STRING)
              .connect(
                  fannedQueries.keyBy(t -> JoinKeys.shard(t.f1.namespace(), t.f0), Types.STRING))
              .transform(
                  "ShardJoin",
                  JoinTypeInfo.PARTIAL_TOP_K,
                  new ShardJoinOperator(
                      new ShardJoin(
                          validator, bucketCapacity, keptNodes, coalesceUpdates.toMillis())))
              .uid(UID_SHARD_JOIN);

      SingleOutputStreamOperator<TopKUpdate> updates =
          partials
              .keyBy(PartialTopK::mergeKey, Types.STRING)
              .transform(
                  "TopKMerge",
                  EventTypeInfo.TOP_K_UPDATE,
                  new TopKMergeOperator(new TopKMerge(s, coalesceUpdates.toMillis())))
              .uid(UID_TOPK_MERGE);

      DataStream<DeadLetter> deadLetters =
          validItems
              .getSideOutput(ShardJoin.DEAD_LETTERS)
              .union(
                  fannedQueries.getSideOutput(ShardJoin.DEAD_LETTERS),
                  partials.getSideOutput(ShardJoin.DEAD_LETTERS));
      return new Result(updates, partials.getSideOutput(ShardJoin.ALERTS), deadLetters);
    }
  }
}
