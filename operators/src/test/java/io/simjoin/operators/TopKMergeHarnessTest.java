package io.simjoin.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import io.simjoin.operators.join.FlinkMergeStore;
import io.simjoin.operators.join.JoinOutput;
import io.simjoin.operators.join.PartialTopK;
import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link TopKMerge} under the keyed harness on the heap and the RocksDB backends, generic types
 * disabled: partials of 3 shards, each shard's in its own order but the shards interleaved at
 * random (so partials of a replaced registration arrive late), against a model that merges by
 * sorting the union.
 */
class TopKMergeHarnessTest {
  private static final int S = 3;
  private static final String NS = "ns";

  // ------------------------------------------------------------------ the stream

  /** Per shard, in that shard's order: lifecycles of standing queries and one-shot queries. */
  private static List<PartialTopK> generate(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<List<PartialTopK>> perShard = new ArrayList<>();
    for (int s = 0; s < S; s++) {
      perShard.add(new ArrayList<>());
    }
    long[] ts = {1_000};
    for (int q = 0; q < 6; q++) {
      String id = "q" + q;
      int registrations = 1 + r.nextInt(3);
      for (int reg = 0; reg < registrations; reg++) {
        long epoch = 10_000L * (q + 1) + reg;
        int k = 1 + r.nextInt(4);
        for (int s = 0; s < S; s++) {
          perShard.get(s).add(partial(r, id, s, epoch, k, JoinOutput.Cause.REGISTERED, null, ts));
        }
        for (int round = 0; round < 5; round++) {
          for (int s = 0; s < S; s++) {
            if (r.nextInt(3) == 0) {
              continue;
            }
            List<PartialTopK> l = perShard.get(s);
            JoinOutput.Cause c =
                r.nextBoolean() ? JoinOutput.Cause.ITEM_DELETED : JoinOutput.Cause.ITEM_UPSERTED;
            PartialTopK prev = l.get(l.size() - 1);
            if (r.nextInt(4) == 0 && !prev.isCancelMark() && prev.epoch() == epoch) {
              // the same list again: the merged top-k does not change
              l.add(
                  PartialTopK.partial(
                      NS, id, s, epoch, k, prev.matches(), c, "s" + s + "-x", ts[0]++));
            } else {
              l.add(partial(r, id, s, epoch, k, c, "s" + s + "-i" + r.nextInt(100), ts));
            }
          }
        }
        // every registration but the last is replaced, some of them cancelled first
        if (reg == registrations - 1 || r.nextBoolean()) {
          for (int s = 0; s < S; s++) {
            perShard.get(s).add(PartialTopK.cancelMark(NS, id, s, epoch, ts[0]++));
          }
        }
      }
    }
    for (int o = 0; o < 8; o++) {
      int k = 1 + r.nextInt(5);
      for (int s = 0; s < S; s++) {
        perShard
            .get(s)
            .add(partial(r, "once-" + o, s, 50_000L + o, k, JoinOutput.Cause.ONCE, null, ts));
      }
    }
    // Interleave the shards, each keeping its order: mostly in the order the partials were made,
    // as shards roughly keep pace in a job, but with lags that make some partials arrive after
    // another shard's re-registration or cancel.
    List<PartialTopK> out = new ArrayList<>();
    int[] next = new int[S];
    int left = perShard.stream().mapToInt(List::size).sum();
    while (left > 0) {
      int s = -1;
      if (r.nextInt(4) > 0) {
        for (int c = 0; c < S; c++) {
          if (next[c] < perShard.get(c).size()
              && (s < 0
                  || perShard.get(c).get(next[c]).timestamp()
                      < perShard.get(s).get(next[s]).timestamp())) {
            s = c;
          }
        }
      } else {
        do {
          s = r.nextInt(S);
        } while (next[s] >= perShard.get(s).size());
      }
      out.add(perShard.get(s).get(next[s]++));
      left--;
    }
    return out;
  }

  private static PartialTopK partial(
      SplittableRandom r,
      String id,
      int shard,
      long epoch,
      int k,
      JoinOutput.Cause cause,
      String itemId,
      long[] ts) {
    List<Match> ms = new ArrayList<>();
    for (int i = r.nextInt(k + 1); i > 0; i--) {
      ms.add(new Match("s" + shard + "-i" + r.nextInt(100), (float) r.nextDouble()));
    }
    ms =
        new ArrayList<>(
            ms.stream()
                .collect(java.util.stream.Collectors.toMap(Match::id, m -> m, (a, b) -> a))
                .values());
    ms.sort(Match.BEST_FIRST);
    return PartialTopK.partial(NS, id, shard, epoch, k, ms, cause, itemId, ts[0]++);
  }

  // ------------------------------------------------------------------ the model

  private static final class QueryModel {
    long epoch = Long.MIN_VALUE;
    int k;
    List<Match>[] partials;
    List<Match> last;
    boolean cancelled;
    int marks;
    long seq;
  }

  private static final class Model {
    final Map<String, QueryModel> queries = new HashMap<>();
    final Map<String, List<Match>[]> once = new HashMap<>();
    int stale;
    int unchanged;

    @SuppressWarnings("unchecked")
    TopKUpdate apply(PartialTopK p) {
      if (p.cause() == JoinOutput.Cause.ONCE) {
        List<Match>[] parts = once.computeIfAbsent(p.queryId(), x -> new List[S]);
        parts[p.shard()] = p.matches();
        for (List<Match> l : parts) {
          if (l == null) {
            return null;
          }
        }
        once.remove(p.queryId());
        QueryModel m = queries.get(p.queryId());
        return update(p, m == null ? 1 : ++m.seq, merge(parts, p.k()), UpdateCause.once());
      }
      QueryModel m = queries.computeIfAbsent(p.queryId(), x -> new QueryModel());
      if (p.epoch() < m.epoch) {
        stale++;
        return null;
      }
      if (p.epoch() > m.epoch) {
        m.epoch = p.epoch();
        m.k = p.k();
        m.partials = new List[S];
        m.last = null;
        m.cancelled = false;
        m.marks = 0;
      }
      if (p.isCancelMark()) {
        m.marks++;
        TopKUpdate u = null;
        if (!m.cancelled) {
          m.cancelled = true;
          m.partials = new List[S];
          m.last = null;
          u = update(p, ++m.seq, List.of(), UpdateCause.cancelled());
        }
        if (m.marks == S) {
          queries.remove(p.queryId());
        }
        return u;
      }
      if (m.cancelled) {
        stale++;
        return null;
      }
      m.partials[p.shard()] = p.matches();
      for (List<Match> l : m.partials) {
        if (l == null) {
          return null;
        }
      }
      List<Match> merged = merge(m.partials, m.k);
      if (merged.equals(m.last)) {
        unchanged++;
        return null;
      }
      m.last = merged;
      UpdateCause c =
          switch (p.cause()) {
            case REGISTERED -> UpdateCause.registered();
            case ITEM_UPSERTED -> UpdateCause.itemUpserted(p.itemId());
            case ITEM_DELETED -> UpdateCause.itemDeleted(p.itemId());
            case ONCE -> throw new AssertionError();
          };
      return update(p, ++m.seq, merged, c);
    }

    /** The top-k of the union, sorted here without the production comparator. */
    private static List<Match> merge(List<Match>[] parts, int k) {
      List<Match> all = new ArrayList<>();
      for (List<Match> l : parts) {
        all.addAll(l);
      }
      all.sort(Comparator.comparing((Match m) -> -m.score()).thenComparing(Match::id));
      return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }

    private static TopKUpdate update(PartialTopK p, long seq, List<Match> ms, UpdateCause c) {
      List<ScoredItem> items = ms.stream().map(m -> new ScoredItem(m.id(), m.score())).toList();
      return TopKUpdate.of(p.namespace(), p.queryId(), seq, items, c, p.timestamp());
    }
  }

  // ------------------------------------------------------------------ the harness

  private static final class Run implements AutoCloseable {
    final KeyedOneInputStreamOperatorTestHarness<String, PartialTopK, TopKUpdate> h;

    Run(ShardJoinHarnessTest.Backend backend, OperatorSubtaskState restore) throws Exception {
      this(backend, restore, 0);
    }

    Run(ShardJoinHarnessTest.Backend backend, OperatorSubtaskState restore, long coalesceMs)
        throws Exception {
      h =
          new KeyedOneInputStreamOperatorTestHarness<>(
              coalesceMs == 0
                  ? new KeyedProcessOperator<>(new TopKMerge(S))
                  : new TopKMergeOperator(new TopKMerge(S, coalesceMs)),
              PartialTopK::mergeKey,
              Types.STRING);
      h.setStateBackend(backend.create());
      Configuration conf = new Configuration();
      conf.set(PipelineOptions.GENERIC_TYPES, false);
      h.getExecutionConfig().configure(conf, TopKMergeHarnessTest.class.getClassLoader());
      assertThat(h.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
      if (restore != null) {
        h.initializeState(restore);
      }
      h.open();
    }

    List<TopKUpdate> feed(List<PartialTopK> partials) throws Exception {
      h.getOutput().clear();
      for (PartialTopK p : partials) {
        h.processElement(p, p.timestamp());
      }
      return h.extractOutputValues();
    }

    long keysIn(String stateName) {
      KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
      try (Stream<String> keys = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
        return keys.count();
      }
    }

    @Override
    public void close() throws Exception {
      h.close();
    }
  }

  @ParameterizedTest
  @EnumSource(ShardJoinHarnessTest.Backend.class)
  void mergesLikeTheModelAcrossARestoreAndEndsWithNoState(ShardJoinHarnessTest.Backend backend)
      throws Exception {
    List<PartialTopK> in = generate(5);
    Model model = new Model();
    List<TopKUpdate> want = new ArrayList<>();
    for (PartialTopK p : in) {
      TopKUpdate u = model.apply(p);
      if (u != null) {
        want.add(u);
      }
    }
    assertThat(model.stale).as("partials of a replaced or cancelled registration").isPositive();
    assertThat(model.unchanged).as("partials that left the top-k as it was").isPositive();
    assertThat(model.queries).isEmpty();
    assertThat(model.once).isEmpty();

    List<TopKUpdate> uninterrupted;
    try (Run run = new Run(backend, null)) {
      uninterrupted = run.feed(in);
      assertThat(uninterrupted).isEqualTo(want);
      for (String name :
          List.of(
              FlinkMergeStore.STANDING_STATE,
              FlinkMergeStore.ONCE_STATE,
              FlinkMergeStore.SEQ_STATE)) {
        assertThat(run.keysIn(name)).as("keys in %s at the end", name).isZero();
      }
    }
    checkSequences(uninterrupted);

    int half = in.size() / 2;
    List<TopKUpdate> interrupted = new ArrayList<>();
    OperatorSubtaskState snapshot;
    try (Run run = new Run(backend, null)) {
      interrupted.addAll(run.feed(in.subList(0, half)));
      assertThat(run.keysIn(FlinkMergeStore.STANDING_STATE)).isPositive();
      snapshot = run.h.snapshot(1L, 1L);
    }
    try (Run run = new Run(backend, snapshot)) {
      interrupted.addAll(run.feed(in.subList(half, in.size())));
    }
    assertThat(interrupted).isEqualTo(uninterrupted);
  }

  /**
   * A coalescing merge, its clock moved at random and a checkpoint (barrier flush, snapshot,
   * restore) in the middle, sends per query a subsequence of what the merge sends at every partial,
   * ending with the same update; sequence numbers still go up by one, and nothing is left in state
   * at the end.
   */
  @ParameterizedTest
  @EnumSource(ShardJoinHarnessTest.Backend.class)
  void coalescingSendsASubsequenceEndingTheSameAndKeepsSeqAcrossARestore(
      ShardJoinHarnessTest.Backend backend) throws Exception {
    List<PartialTopK> in = generate(9);
    List<TopKUpdate> every;
    try (Run run = new Run(backend, null)) {
      every = run.feed(in);
    }
    SplittableRandom r = new SplittableRandom(9);
    long[] now = {0};
    List<TopKUpdate> coalesced = new ArrayList<>();
    int half = in.size() / 2;
    OperatorSubtaskState snapshot;
    try (Run run = new Run(backend, null, 50)) {
      coalesced.addAll(feedWithClock(run, in.subList(0, half), r, now));
      run.h.prepareSnapshotPreBarrier(1L);
      snapshot = run.h.snapshot(1L, now[0]);
      coalesced.addAll(run.h.extractOutputValues());
    }
    try (Run run = new Run(backend, snapshot, 50)) {
      coalesced.addAll(feedWithClock(run, in.subList(half, in.size()), r, now));
      run.h.getOperator().finish();
      coalesced.addAll(run.h.extractOutputValues());
      for (String name : List.of(FlinkMergeStore.STANDING_STATE, FlinkMergeStore.SEQ_STATE)) {
        assertThat(run.keysIn(name)).as("keys in %s at the end", name).isZero();
      }
    }
    checkSequences(coalesced);
    assertThat(coalesced.size()).as("fewer updates").isLessThan(every.size());
    Map<String, List<String>> all = byQuery(every);
    Map<String, List<String>> fewer = byQuery(coalesced);
    assertThat(fewer.keySet()).isEqualTo(all.keySet());
    for (Map.Entry<String, List<String>> e : fewer.entrySet()) {
      List<String> full = all.get(e.getKey());
      int at = 0;
      for (String u : e.getValue()) {
        while (at < full.size() && !full.get(at).equals(u)) {
          at++;
        }
        assertThat(at)
            .as("%s of %s is one the merge sent, in order", u, e.getKey())
            .isLessThan(full.size());
        at++;
      }
      assertThat(e.getValue().get(e.getValue().size() - 1))
          .as("last update of %s", e.getKey())
          .isEqualTo(full.get(full.size() - 1));
    }
  }

  /** Feeds the partials, moving the processing-time clock forward now and then. */
  private static List<TopKUpdate> feedWithClock(
      Run run, List<PartialTopK> partials, SplittableRandom r, long[] now) throws Exception {
    run.h.getOutput().clear();
    for (PartialTopK p : partials) {
      run.h.processElement(p, p.timestamp());
      if (r.nextInt(8) == 0) {
        now[0] += r.nextInt(80);
        run.h.setProcessingTime(now[0]);
      }
    }
    List<TopKUpdate> out = run.h.extractOutputValues();
    run.h.getOutput().clear();
    return out;
  }

  /**
   * Per query, in order: each update's matches, and whether it is a cancellation (seq differs
   * between the runs, and so may an item update's cause: a coalesced one names the last change).
   */
  private static Map<String, List<String>> byQuery(List<TopKUpdate> updates) {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (TopKUpdate u : updates) {
      boolean cancel = u.cause().kind() == UpdateCause.Kind.CANCELLED;
      out.computeIfAbsent(u.queryId(), q -> new ArrayList<>())
          .add((cancel ? "CANCELLED " : "") + u.matches());
    }
    return out;
  }

  /**
   * seq grows by one per update of a query; it starts again at 1 only after a cancellation every
   * shard has confirmed. Each one-shot query is answered once; each cancel is one CANCELLED update.
   */
  private static void checkSequences(List<TopKUpdate> updates) {
    Map<String, TopKUpdate> last = new HashMap<>();
    Map<String, Integer> onceAnswers = new HashMap<>();
    int cancels = 0;
    for (TopKUpdate u : updates) {
      if (u.queryId().startsWith("once-")) {
        assertThat(u.cause().kind()).isEqualTo(UpdateCause.Kind.ONCE);
        assertThat(u.seq()).isEqualTo(1);
        onceAnswers.merge(u.queryId(), 1, Integer::sum);
        continue;
      }
      TopKUpdate prev = last.put(u.queryId(), u);
      if (u.cause().kind() == UpdateCause.Kind.CANCELLED) {
        cancels++;
        assertThat(u.matches()).isEmpty();
        assertThat(prev).isNotNull();
        assertThat(prev.cause().kind()).isNotEqualTo(UpdateCause.Kind.CANCELLED);
      }
      if (prev == null || (u.seq() == 1 && prev.cause().kind() == UpdateCause.Kind.CANCELLED)) {
        assertThat(u.seq()).as("first seq of %s", u).isEqualTo(1);
      } else {
        assertThat(u.seq()).as("seq after %s", prev).isEqualTo(prev.seq() + 1);
      }
    }
    assertThat(onceAnswers).hasSize(8).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
    assertThat(cancels).isPositive();
  }
}
