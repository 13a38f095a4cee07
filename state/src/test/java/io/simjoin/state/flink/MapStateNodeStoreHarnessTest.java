package io.simjoin.state.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.state.flink.TreeOps.Answer;
import io.simjoin.state.flink.TreeOps.Backend;
import io.simjoin.state.flink.TreeOps.Op;
import io.simjoin.state.flink.TreeOps.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cover tree on {@link MapStateNodeStore} inside a real keyed operator, on the heap and the
 * RocksDB state backends: random operations on several keys checked against a brute-force oracle
 * per key, invariants along the way, a snapshot → close → new harness → restore in the middle that
 * must not change a single answer (nor a single state access), and a drained state at the end.
 */
class MapStateNodeStoreHarnessTest {

  private static final String[] KEYS = {"k0", "k1", "ключ-2"};

  /** What a run answered per operation ({@code null} where an operation answers nothing). */
  record Run(List<Answer> answers, int stateEntriesAtEnd) {}

  static Stream<Arguments> backendsAndCaches() {
    return Stream.of(
        Arguments.of(Backend.HEAP, 256),
        Arguments.of(Backend.HEAP, 2),
        Arguments.of(Backend.ROCKSDB, 256),
        Arguments.of(Backend.ROCKSDB, 2));
  }

  @ParameterizedTest(name = "{0}, cache {1}")
  @MethodSource("backendsAndCaches")
  void randomOperationsOnSeveralKeysMatchTheOracleAndSurviveARestore(Backend backend, int cache)
      throws Exception {
    int dim = 6;
    // Small nodes make deep trees, so splits, collapses and re-centring all happen.
    Settings settings = new Settings(dim, 5, 4, cache, false, 0);
    List<Op> ops = randomOps(new SplittableRandom(17), dim, 2400);

    Run straight = run(backend, settings, ops, -1);
    verify(ops, straight);

    Run restored = run(backend, settings, ops, ops.size() / 2);
    assertSameAnswers(restored, straight);
    assertThat(restored.stateEntriesAtEnd()).isZero();
  }

  static Stream<Arguments> backendsAndKept() {
    return Stream.of(
        Arguments.of(Backend.HEAP, 8),
        Arguments.of(Backend.HEAP, 4096),
        Arguments.of(Backend.ROCKSDB, 8),
        Arguments.of(Backend.ROCKSDB, 4096));
  }

  /**
   * Nodes kept decoded across records (accesses opened with their key) change no answer, on either
   * backend, across a snapshot and restore, with few kept (constant eviction) or many; and they do
   * spare state reads.
   */
  @ParameterizedTest(name = "{0}, kept {1}")
  @MethodSource("backendsAndKept")
  void nodesKeptAcrossRecordsChangeNoAnswer(Backend backend, int kept) throws Exception {
    int dim = 6;
    Settings keeping = new Settings(dim, 5, 4, 2, false, kept);
    List<Op> ops = randomOps(new SplittableRandom(23), dim, 2400);

    Run straight = run(backend, keeping, ops, -1);
    verify(ops, straight);
    Run restored = run(backend, keeping, ops, ops.size() / 2);
    assertThat(restored.answers()).hasSameSizeAs(straight.answers());
    for (int i = 0; i < straight.answers().size(); i++) {
      assertThat(withoutAccesses(restored.answers().get(i)))
          .as("answer %d after a restore", i)
          .isEqualTo(withoutAccesses(straight.answers().get(i)));
    }
    assertThat(restored.stateEntriesAtEnd()).isZero();

    Run plain = run(backend, new Settings(dim, 5, 4, 2, false, 0), ops, -1);
    assertThat(nodeGets(straight)).isLessThan(nodeGets(plain));
  }

  private static Answer withoutAccesses(Answer a) {
    if (a == null || a.accesses() == null) {
      return a;
    }
    return a.withAccesses(null);
  }

  private static long nodeGets(Run run) {
    long n = 0;
    for (Answer a : run.answers()) {
      if (a != null && a.accesses() != null) {
        n += a.accesses().nodeGets();
      }
    }
    return n;
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aLearnedBasisAndThePointsHeadsSurviveARestore(Backend backend) throws Exception {
    int dim = 32;
    Settings settings = new Settings(dim, 64, 8, 256, false, 0);
    SplittableRandom r = new SplittableRandom(5);
    float[][] directions = new float[4][];
    for (int j = 0; j < 4; j++) {
      directions[j] = gauss(r, dim);
    }
    List<Op> ops = new ArrayList<>();
    // The tree learns a basis at 4,096 points; low-rank data makes one pay.
    for (int i = 0; i < 4200; i++) {
      ops.add(Op.insert("k", "p" + i, lowRank(r, directions, dim)));
    }
    ops.add(Op.count("k"));
    ops.add(Op.check("k"));
    for (int i = 0; i < 40; i++) {
      ops.add(Op.topK("k", lowRank(r, directions, dim), 10));
    }
    for (int i = 0; i < 200; i++) {
      ops.add(Op.upsert("k", "p" + r.nextInt(4300), lowRank(r, directions, dim)));
      ops.add(Op.delete("k", "p" + r.nextInt(4300)));
    }
    for (int i = 0; i < 40; i++) {
      ops.add(Op.topK("k", lowRank(r, directions, dim), 10));
    }
    ops.add(Op.check("k"));
    ops.add(Op.count("k"));

    Run straight = run(backend, settings, ops, -1);
    verify(ops, straight);
    Answer learned = straight.answers().get(4200);
    assertThat(learned.head()).as("partial-product length after 4,200 points").isEqualTo(4);

    Run restored = run(backend, settings, ops, 4205);
    assertSameAnswers(restored, straight);
  }

  /**
   * The restored run must answer exactly as the straight one, state accesses included. Cache hits
   * excepted: the first record after a restore builds the tree, whose builder reads the meta once
   * more (from the cache).
   */
  static void assertSameAnswers(Run restored, Run straight) {
    assertThat(restored.answers()).hasSameSizeAs(straight.answers());
    for (int i = 0; i < straight.answers().size(); i++) {
      assertThat(withoutCacheHits(restored.answers().get(i)))
          .as("answer %d after a restore", i)
          .isEqualTo(withoutCacheHits(straight.answers().get(i)));
    }
  }

  private static Answer withoutCacheHits(Answer a) {
    if (a == null || a.accesses() == null) {
      return a;
    }
    StateAccesses s = a.accesses();
    StateAccesses noHits =
        new StateAccesses(
            s.nodeGets(),
            s.nodePuts(),
            s.nodeRemoves(),
            s.locationGets(),
            s.locationPuts(),
            s.locationRemoves(),
            s.metaReads(),
            s.metaWrites(),
            0);
    return new Answer(
        a.key(),
        a.kind(),
        a.ids(),
        a.scores(),
        a.flag(),
        a.size(),
        a.nodes(),
        a.locations(),
        a.hasMeta(),
        a.head(),
        noHits);
  }

  static Run run(Backend backend, Settings settings, List<Op> ops, int restoreAt) throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, Op, Answer> h =
        TreeOps.harness(backend, settings);
    h.open();
    List<Answer> answers = new ArrayList<>();
    try {
      for (int i = 0; i < ops.size(); i++) {
        if (i == restoreAt) {
          OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
          h.close();
          h = TreeOps.harness(backend, settings);
          h.initializeState(snapshot);
          h.open();
        }
        h.processElement(ops.get(i), i);
        List<Answer> out = h.extractOutputValues();
        assertThat(out.size()).isLessThanOrEqualTo(1);
        answers.add(out.isEmpty() ? null : out.get(0));
        h.getOutput().clear();
      }
      return new Run(answers, stateEntries(h));
    } finally {
      h.close();
    }
  }

  /** Keys that hold an entry in any of the tree's three states, over the whole backend. */
  static int stateEntries(KeyedOneInputStreamOperatorTestHarness<String, Op, Answer> h) {
    KeyedStateBackend<Object> backend = h.getOperator().getKeyedStateBackend();
    int n = 0;
    for (String name :
        List.of(
            MapStateNodeStore.nodesDescriptor("items").getName(),
            MapStateNodeStore.locationsDescriptor("items").getName(),
            MapStateNodeStore.metaDescriptor("items").getName())) {
      try (Stream<Object> keys = backend.getKeys(name, VoidNamespace.INSTANCE)) {
        n += (int) keys.count();
      }
    }
    return n;
  }

  /** Replays the operations on the oracle and checks every answer. */
  static void verify(List<Op> ops, Run run) {
    KeyedOracle oracle = new KeyedOracle();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      Answer a = run.answers().get(i);
      switch (op.kind()) {
        case INSERT -> oracle.put(op.key(), op.id(), op.vector());
        case UPSERT ->
            assertThat(a.flag())
                .as("upsert %d", i)
                .isEqualTo(oracle.put(op.key(), op.id(), op.vector()));
        case DELETE ->
            assertThat(a.flag()).as("delete %d", i).isEqualTo(oracle.remove(op.key(), op.id()));
        case TOPK -> oracle.assertTopK(op.key(), op.vector(), op.k(), a.ids(), a.scores());
        case CHECK -> assertThat(a).isNull();
        case COUNT -> {
          long size = oracle.size(op.key());
          assertThat(a.size()).as("size of %s at %d", op.key(), i).isEqualTo(size);
          assertThat(a.locations()).as("locations of %s", op.key()).isEqualTo(size);
          if (size == 0) {
            assertThat(a.nodes()).as("nodes of drained %s", op.key()).isZero();
            assertThat(a.hasMeta()).as("meta of drained %s", op.key()).isFalse();
          } else {
            assertThat(a.nodes()).isBetween(2L, 2 * size + 1);
            assertThat(a.hasMeta()).isTrue();
          }
        }
        default -> throw new IllegalStateException(op.kind().toString());
      }
    }
  }

  /**
   * Random inserts, deletes (some of absent ids), upserts (some of new ids), top-k queries and
   * invariant checks, interleaved over {@link #KEYS}, which use the same point ids so that a leak
   * between keys would show; then every key is drained.
   */
  static List<Op> randomOps(SplittableRandom r, int dim, int steps) {
    float[][] centres = new float[4][];
    for (int j = 0; j < centres.length; j++) {
      centres[j] = unit(gauss(r, dim));
    }
    List<List<String>> live = new ArrayList<>();
    int[] next = new int[KEYS.length];
    for (int j = 0; j < KEYS.length; j++) {
      live.add(new ArrayList<>());
    }
    List<Op> ops = new ArrayList<>();
    for (int step = 0; step < steps; step++) {
      int j = r.nextInt(KEYS.length);
      String key = KEYS[j];
      List<String> ids = live.get(j);
      int p = r.nextInt(100);
      if (p < 45 || ids.isEmpty()) {
        String id = "p" + next[j]++;
        ops.add(Op.insert(key, id, vector(r, dim, centres)));
        ids.add(id);
      } else if (p < 65) {
        boolean absent = r.nextInt(10) == 0;
        String id = absent ? "p" + (next[j] + 1000) : ids.remove(r.nextInt(ids.size()));
        ops.add(Op.delete(key, id));
      } else if (p < 75) {
        String id = r.nextInt(5) == 0 ? "p" + next[j]++ : ids.get(r.nextInt(ids.size()));
        if (!ids.contains(id)) {
          ids.add(id);
        }
        ops.add(Op.upsert(key, id, vector(r, dim, centres)));
      } else if (p < 96) {
        ops.add(Op.topK(key, vector(r, dim, centres), 1 + r.nextInt(12)));
      } else {
        ops.add(Op.check(key));
      }
    }
    for (int j = 0; j < KEYS.length; j++) {
      ops.add(Op.check(KEYS[j]));
      ops.add(Op.count(KEYS[j]));
    }
    for (int j = 0; j < KEYS.length; j++) {
      for (String id : live.get(j)) {
        ops.add(Op.delete(KEYS[j], id));
      }
      ops.add(Op.count(KEYS[j]));
    }
    return ops;
  }

  static float[] vector(SplittableRandom r, int d, float[][] centres) {
    switch (r.nextInt(10)) {
      case 0:
        return new float[d];
      case 1:
      case 2:
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
          v[i] = r.nextInt(-1, 2);
        }
        return v;
      case 3:
      case 4:
        return gauss(r, d);
      default:
        float[] c = centres[r.nextInt(centres.length)];
        float[] w = new float[d];
        double scale = Math.exp(0.5 * r.nextGaussian());
        for (int i = 0; i < d; i++) {
          w[i] = (float) ((c[i] + 0.1 * r.nextGaussian()) * scale);
        }
        return w;
    }
  }

  static float[] gauss(SplittableRandom r, int d) {
    float[] v = new float[d];
    for (int i = 0; i < d; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  static float[] unit(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] / Math.sqrt(n));
    }
    return v;
  }

  /** A vector in the span of four directions plus a little noise: a spectrum a basis can use. */
  static float[] lowRank(SplittableRandom r, float[][] directions, int d) {
    float[] v = new float[d];
    double[] scales = {3, 2, 1.5, 1};
    for (int j = 0; j < directions.length; j++) {
      double a = scales[j] * r.nextGaussian();
      for (int i = 0; i < d; i++) {
        v[i] += (float) (a * directions[j][i]);
      }
    }
    for (int i = 0; i < d; i++) {
      v[i] += (float) (0.01 * r.nextGaussian());
    }
    return v;
  }
}
