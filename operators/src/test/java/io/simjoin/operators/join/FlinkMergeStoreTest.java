package io.simjoin.operators.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.operators.join.KeyedStateHarness.Backend;
import io.simjoin.operators.join.KeyedStateHarness.Op;
import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link TopKMergeCore} on a {@link FlinkMergeStore}, on both backends, against the same core on a
 * {@link HeapMergeStore} per key: the same random partials, cancel marks and one-shot answers must
 * emit the same updates and leave the same state, also across a snapshot and a restore into a new
 * operator. On RocksDB every read is a copy, so a change the core did not put back would show here.
 * Cancelling everything and completing every one-shot query leaves no entry in any state.
 */
class FlinkMergeStoreTest {

  private static final int SHARDS = 3;
  private static final List<String> KEYS =
      List.of(
          JoinKeys.query("ns", "q0"),
          JoinKeys.query("ns", "q1"),
          JoinKeys.query("ns", "q2"),
          JoinKeys.query("other", "q0"));

  /** Feeds each op to the merge over a FlinkMergeStore and emits the update and the state. */
  static final class MergeFunction extends KeyedProcessFunction<String, Op, String> {
    private transient MergeStore store;
    private transient TopKMergeCore merge;

    @Override
    public void open(OpenContext openContext) {
      store = new FlinkMergeStore(getRuntimeContext());
      merge = new TopKMergeCore(SHARDS);
    }

    @Override
    public void processElement(Op op, Context ctx, Collector<String> out) {
      out.collect(apply(merge, store, op));
    }
  }

  /**
   * "partial" with arg "shard/epoch/k/cause" and value "id=score,..."; "cancel" with arg
   * "shard/epoch". Returns the op, the update and what the store reads afterwards.
   */
  static String apply(TopKMergeCore merge, MergeStore store, Op op) {
    String[] a = op.arg().split("/");
    int shard = Integer.parseInt(a[0]);
    long epoch = Long.parseLong(a[1]);
    TopKMergeCore.Merged m =
        switch (op.verb()) {
          case "partial" ->
              merge.onPartial(
                  store,
                  shard,
                  epoch,
                  Integer.parseInt(a[2]),
                  parse(op.value()),
                  JoinOutput.Cause.valueOf(a[3]),
                  op.value().isEmpty() ? null : "item");
          case "cancel" -> merge.onCancelled(store, shard, epoch);
          default -> throw new IllegalArgumentException(op.verb());
        };
    String update =
        m == null ? "-" : m.seq() + " " + m.cause() + " " + m.matches() + " " + m.itemId();
    return op
        + " -> "
        + update
        + " | seq="
        + store.seq()
        + " standing="
        + JoinSamples.render(store.standing())
        + " once="
        + JoinSamples.render(store.once(epoch));
  }

  private static List<Match> parse(String v) {
    List<Match> list = new ArrayList<>();
    if (!v.isEmpty()) {
      for (String m : v.split(",")) {
        String[] p = m.split("=");
        list.add(new Match(p[0], Float.parseFloat(p[1])));
      }
    }
    return list;
  }

  /** What the test knows of a key to send realistic messages: a shard's mark ends its epoch. */
  private static final class KeyPlan {
    long epoch = -1;
    final List<Long> epochs = new ArrayList<>();
    final Map<Long, TreeSet<Integer>> marked = new HashMap<>();
    final Map<Long, TreeSet<Integer>> onceSent = new LinkedHashMap<>();
  }

  private static final class Generator {
    final SplittableRandom r;
    final Map<String, KeyPlan> plans = new HashMap<>();
    long clock;

    Generator(long seed) {
      r = new SplittableRandom(seed);
      for (String key : KEYS) {
        plans.put(key, new KeyPlan());
      }
    }

    /** k is fixed per epoch, as a query's registration fixes it. */
    static int k(long epoch) {
      return 1 + (int) (epoch % 3);
    }

    String matches(long epoch) {
      int n = r.nextInt(k(epoch) + 1);
      TreeSet<Match> set = new TreeSet<>(Match.BEST_FIRST);
      while (set.size() < n) {
        // few distinct scores: ties between shards' items are ordered by id
        set.add(new Match("i" + r.nextInt(12), 0.25f * (1 + r.nextInt(4))));
      }
      List<String> out = new ArrayList<>();
      for (Match m : set) {
        out.add(m.id() + "=" + m.score());
      }
      return String.join(",", out);
    }

    Op partial(String key, int shard, long epoch, JoinOutput.Cause cause) {
      return new Op(
          key, "partial", shard + "/" + epoch + "/" + k(epoch) + "/" + cause, matches(epoch));
    }

    List<Op> ops(int n) {
      List<Op> ops = new ArrayList<>();
      while (ops.size() < n) {
        String key = KEYS.get(r.nextInt(KEYS.size()));
        KeyPlan p = plans.get(key);
        int c = r.nextInt(100);
        int shard = r.nextInt(SHARDS);
        if (c < 15 || p.epoch < 0) {
          p.epoch = ++clock;
          p.epochs.add(p.epoch);
          ops.add(partial(key, shard, p.epoch, JoinOutput.Cause.REGISTERED));
        } else if (c < 60) {
          if (!marked(p, p.epoch, shard)) {
            JoinOutput.Cause cause =
                r.nextBoolean() ? JoinOutput.Cause.ITEM_UPSERTED : JoinOutput.Cause.ITEM_DELETED;
            ops.add(partial(key, shard, p.epoch, cause));
          }
        } else if (c < 65) {
          // a partial of a replaced registration, still in flight
          long old = p.epochs.get(r.nextInt(p.epochs.size()));
          if (!marked(p, old, shard)) {
            ops.add(partial(key, shard, old, JoinOutput.Cause.ITEM_UPSERTED));
          }
        } else if (c < 72) {
          if (p.marked.computeIfAbsent(p.epoch, e -> new TreeSet<>()).add(shard)) {
            ops.add(new Op(key, "cancel", shard + "/" + p.epoch, ""));
          }
        } else {
          Long pending = p.onceSent.isEmpty() || r.nextInt(3) == 0 ? null : first(p);
          long epoch = pending == null ? ++clock : pending;
          TreeSet<Integer> sent = p.onceSent.computeIfAbsent(epoch, e -> new TreeSet<>());
          if (sent.add(shard)) {
            ops.add(partial(key, shard, epoch, JoinOutput.Cause.ONCE));
          }
          if (sent.size() == SHARDS) {
            p.onceSent.remove(epoch);
          }
        }
      }
      return ops;
    }

    private static Long first(KeyPlan p) {
      return p.onceSent.keySet().iterator().next();
    }

    private static boolean marked(KeyPlan p, long epoch, int shard) {
      TreeSet<Integer> m = p.marked.get(epoch);
      return m != null && m.contains(shard);
    }

    /** Every pending one-shot answer completed. */
    List<Op> onceCompleted() {
      List<Op> ops = new ArrayList<>();
      for (String key : KEYS) {
        for (Map.Entry<Long, TreeSet<Integer>> e : plans.get(key).onceSent.entrySet()) {
          for (int s = 0; s < SHARDS; s++) {
            if (!e.getValue().contains(s)) {
              ops.add(partial(key, s, e.getKey(), JoinOutput.Cause.ONCE));
            }
          }
        }
        plans.get(key).onceSent.clear();
      }
      return ops;
    }
  }

  private static List<String> model(Map<String, HeapMergeStore> models, List<Op> ops) {
    TopKMergeCore merge = new TopKMergeCore(SHARDS);
    List<String> out = new ArrayList<>();
    for (Op op : ops) {
      out.add(apply(merge, models.computeIfAbsent(op.key(), k -> new HeapMergeStore()), op));
    }
    return out;
  }

  /** Cancel marks, from the model, until no key keeps a standing query. */
  private static List<Op> everythingCancelled(Map<String, HeapMergeStore> models) {
    List<Op> ops = new ArrayList<>();
    for (String key : KEYS) {
      HeapMergeStore m = models.computeIfAbsent(key, k -> new HeapMergeStore());
      for (int shard = 0; m.standing() != null; shard++) {
        Op op = new Op(key, "cancel", shard % SHARDS + "/" + m.standing().epoch(), "");
        model(models, List.of(op));
        ops.add(op);
      }
    }
    return ops;
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void emitsAndKeepsWhatTheHeapModelDoesAcrossARestoreAndEndsEmpty(Backend backend)
      throws Exception {
    Generator gen = new Generator(7);
    Map<String, HeapMergeStore> models = new HashMap<>();
    List<Op> first = gen.ops(500);
    List<Op> second = gen.ops(500);
    List<String> expectFirst = model(models, first);
    List<String> expectSecond = model(models, second);
    List<Op> onces = gen.onceCompleted();
    List<String> expectOnces = model(models, onces);
    // the model state before the cancels is needed to build them; replaying them is a no-op
    List<Op> cancels = everythingCancelled(models);

    // the sequence exercises every path: updates, one-shot answers, cancels, dropped partials
    for (String what : List.of(" ITEM_UPSERTED [", " ITEM_DELETED [", " ONCE [", " CANCELLED [")) {
      assertThat(expectFirst).anyMatch(s -> s.contains(what));
    }
    assertThat(expectFirst).anyMatch(s -> s.contains("-> - "));

    OperatorSubtaskState snapshot;
    try (KeyedStateHarness h = KeyedStateHarness.open(new MergeFunction(), backend, null)) {
      assertThat(h.process(first)).isEqualTo(expectFirst);
      snapshot = h.snapshot(1L);
    }
    try (KeyedStateHarness h = KeyedStateHarness.open(new MergeFunction(), backend, snapshot)) {
      assertThat(h.process(second)).isEqualTo(expectSecond);
      assertThat(h.keysIn(FlinkMergeStore.STANDING_STATE)).isPositive();
      assertThat(h.keysIn(FlinkMergeStore.SEQ_STATE)).isPositive();

      assertThat(h.process(onces)).isEqualTo(expectOnces);
      assertThat(h.keysIn(FlinkMergeStore.ONCE_STATE)).isZero();

      h.process(cancels);
      assertThat(models.values()).allSatisfy(m -> assertThat(m.isEmpty()).isTrue());
      assertThat(h.keysIn(FlinkMergeStore.STANDING_STATE)).isZero();
      assertThat(h.keysIn(FlinkMergeStore.ONCE_STATE)).isZero();
      assertThat(h.keysIn(FlinkMergeStore.SEQ_STATE)).isZero();
    }
  }
}
