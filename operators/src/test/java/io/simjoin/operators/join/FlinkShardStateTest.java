package io.simjoin.operators.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.operators.join.KeyedStateHarness.Backend;
import io.simjoin.operators.join.KeyedStateHarness.Op;
import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link FlinkShardState} on both backends against a {@link HeapShardState} per key: the same
 * random operations, each followed by a read-back, must read the same, also across a snapshot and a
 * restore into a new operator; removing everything leaves no entry in any of its states.
 */
class FlinkShardStateTest {

  private static final List<String> KEYS =
      List.of(
          JoinKeys.shard("ns", 0),
          JoinKeys.shard("ns", 1),
          JoinKeys.shard("ns", 2),
          JoinKeys.shard("other", 0));
  private static final int QUERIES = 6;
  private static final int ITEMS = 8;

  /** Applies each op to a FlinkShardState under the op's key and emits what it reads back. */
  static final class ShardStateFunction extends KeyedProcessFunction<String, Op, String> {
    private transient ShardState state;

    @Override
    public void open(OpenContext openContext) {
      state = new FlinkShardState(getRuntimeContext());
    }

    @Override
    public void processElement(Op op, Context ctx, Collector<String> out) {
      out.collect(apply(state, op));
    }
  }

  /** The op and what the state reads after it; the same code runs on the model. */
  static String apply(ShardState s, Op op) {
    String read =
        switch (op.verb()) {
          case "put" -> {
            s.putQuery(op.arg(), parse(op.value()));
            yield JoinSamples.render(s.query(op.arg())) + " count=" + s.queryCount();
          }
          case "update" -> {
            // updateQuery's contract: only for a query the state holds
            if (s.query(op.arg()) == null) {
              s.putQuery(op.arg(), parse(op.value()));
            } else {
              s.updateQuery(op.arg(), parse(op.value()));
            }
            yield JoinSamples.render(s.query(op.arg())) + " count=" + s.queryCount();
          }
          case "remove" -> {
            s.removeQuery(op.arg());
            yield JoinSamples.render(s.query(op.arg())) + " count=" + s.queryCount();
          }
          case "get" -> JoinSamples.render(s.query(op.arg())) + " count=" + s.queryCount();
          default -> throw new IllegalArgumentException(op.verb());
        };
    return op + " -> " + read;
  }

  /** "epoch/k/threshold/id=score,id=score". */
  static StandingQuery parse(String v) {
    String[] f = v.split("/", -1);
    List<Match> matches = new ArrayList<>();
    if (!f[3].isEmpty()) {
      for (String m : f[3].split(",")) {
        String[] p = m.split("=");
        matches.add(new Match(p[0], Float.parseFloat(p[1])));
      }
    }
    return StandingQuery.of(
        Long.parseLong(f[0]),
        new float[] {Long.parseLong(f[0])},
        Integer.parseInt(f[1]),
        Float.parseFloat(f[2]),
        matches);
  }

  private static String randomQuery(SplittableRandom r, long epoch) {
    int k = 1 + r.nextInt(3);
    List<String> ms = new ArrayList<>();
    float score = 1f;
    for (int i = 0; i < r.nextInt(k + 1); i++) {
      score -= 0.125f * (1 + r.nextInt(2));
      ms.add("i" + r.nextInt(ITEMS) + "x" + i + "=" + score);
    }
    float threshold = r.nextBoolean() ? Float.NaN : 0.5f;
    return epoch + "/" + k + "/" + threshold + "/" + String.join(",", ms);
  }

  private static List<Op> randomOps(SplittableRandom r, int n, long epochBase) {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String key = KEYS.get(r.nextInt(KEYS.size()));
      String q = "q" + r.nextInt(QUERIES);
      String item = "i" + r.nextInt(ITEMS);
      int c = r.nextInt(100);
      if (c < 15) {
        ops.add(new Op(key, "put", q, randomQuery(r, epochBase + i)));
      } else if (c < 25) {
        ops.add(new Op(key, "update", q, randomQuery(r, epochBase + i)));
      } else if (c < 35) {
        ops.add(new Op(key, "remove", q, ""));
      } else {
        ops.add(new Op(key, "get", q, ""));
      }
    }
    return ops;
  }

  /** Drops every holder and removes every query of every key. */
  private static List<Op> everythingRemoved() {
    List<Op> ops = new ArrayList<>();
    for (String key : KEYS) {
      for (int q = 0; q < QUERIES; q++) {
        ops.add(new Op(key, "remove", "q" + q, ""));
      }
    }
    return ops;
  }

  private static List<String> model(Map<String, HeapShardState> models, List<Op> ops) {
    List<String> out = new ArrayList<>();
    for (Op op : ops) {
      out.add(apply(models.computeIfAbsent(op.key(), k -> new HeapShardState()), op));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void readsBackWhatTheHeapModelReadsAcrossARestoreAndEndsEmpty(Backend backend) throws Exception {
    SplittableRandom r = new SplittableRandom(42);
    Map<String, HeapShardState> models = new HashMap<>();
    String a = KEYS.get(0);
    String b = KEYS.get(1);
    // what one key writes, no other key sees
    List<Op> isolation =
        List.of(
            new Op(a, "put", "q0", "1/2/NaN/x=1.0"),
            new Op(b, "get", "q0", ""),
            new Op(a, "get", "q0", ""));
    List<Op> first = new ArrayList<>(isolation);
    first.addAll(randomOps(r, 400, 100));
    List<Op> second = randomOps(r, 400, 10_000);
    List<Op> last = everythingRemoved();

    OperatorSubtaskState snapshot;
    try (KeyedStateHarness h = KeyedStateHarness.open(new ShardStateFunction(), backend, null)) {
      List<String> got = h.process(first);
      assertThat(got.subList(0, isolation.size()))
          .containsExactly(
              "Op[key=ns\u001f0, verb=put, arg=q0, value=1/2/NaN/x=1.0] -> epoch=1 vector=[1.0] k=2 threshold="
                  + Float.floatToRawIntBits(Float.NaN)
                  + " [x="
                  + Float.floatToRawIntBits(1f)
                  + " ] count=1",
              "Op[key=ns\u001f1, verb=get, arg=q0, value=] -> null count=0",
              "Op[key=ns\u001f0, verb=get, arg=q0, value=] -> epoch=1 vector=[1.0] k=2 threshold="
                  + Float.floatToRawIntBits(Float.NaN)
                  + " [x="
                  + Float.floatToRawIntBits(1f)
                  + " ] count=1");
      assertThat(got).isEqualTo(model(models, first));
      snapshot = h.snapshot(1L);
    }
    try (KeyedStateHarness h =
        KeyedStateHarness.open(new ShardStateFunction(), backend, snapshot)) {
      assertThat(h.process(second)).isEqualTo(model(models, second));
      assertThat(h.keysIn(FlinkShardState.QUERIES_STATE)).isPositive();
      assertThat(h.keysIn(FlinkShardState.COUNT_STATE)).isPositive();

      assertThat(h.process(last)).isEqualTo(model(models, last));
      assertThat(models.values()).allSatisfy(m -> assertThat(m.queryCount()).isZero());
      assertThat(h.keysIn(FlinkShardState.QUERIES_STATE)).isZero();
      assertThat(h.keysIn(FlinkShardState.COUNT_STATE)).isZero();
    }
  }
}
