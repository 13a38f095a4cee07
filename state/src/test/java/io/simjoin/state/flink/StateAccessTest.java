package io.simjoin.state.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.state.flink.TreeOps.Answer;
import io.simjoin.state.flink.TreeOps.Backend;
import io.simjoin.state.flink.TreeOps.Op;
import io.simjoin.state.flink.TreeOps.Settings;
import java.util.List;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exact state reads and writes of single operations on a small known tree, in the manner of
 * Flink CEP's {@code NFAStateAccessTest}. The operator wraps its states in counters, so every call
 * that reaches a state is counted twice, by the store and by the wrapper, and the two must agree.
 *
 * <p>The tree (dimension 2, buckets of at most 8 points, fan-out 3) after nine inserts:
 *
 * <pre>
 * 0 (super-root) ── 3 (root) ─┬─ bucket 1: a1 (10,0), a2 (10,1), a3 (11,0), a4 (10,-1), a5 (9,0)
 *                             │            centre (10,0), radius 1
 *                             └─ bucket 2: b1 (-10,0), b2 (-10,1), b3 (-11,0), b4 (-10,-1)
 *                                          centre (-11,0), radius √2
 * </pre>
 *
 * (the ninth insert overflows bucket 1, which splits into 1 and 2; the super-root then holds two
 * entries and pushes both under a new root, 3). Nine points, not fewer: the search keeps its
 * best-first order only while it has scored fewer than a quarter of the points, and centre products
 * count, so on a smaller tree it would visit bucket 2 before bucket 1 could prune it.
 */
class StateAccessTest {

  private static StateAccesses accesses(
      long nodeGets,
      long nodePuts,
      long nodeRemoves,
      long locationGets,
      long locationPuts,
      long locationRemoves,
      long metaReads,
      long metaWrites,
      long cacheHits) {
    return new StateAccesses(
        nodeGets,
        nodePuts,
        nodeRemoves,
        locationGets,
        locationPuts,
        locationRemoves,
        metaReads,
        metaWrites,
        cacheHits);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void exactStateAccessesOfInsertSearchUpsertAndDelete(Backend backend) throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, Op, Answer> h =
        TreeOps.harness(backend, new Settings(2, 8, 3, 256, true, 0));
    h.open();
    try {
      // The first insert of an empty key: the location and the meta are read (both absent), the
      // new super-root and bucket are written, with the location and the meta. The builder read
      // the meta first; the insert's own read of it, and of the super-root it just wrote, hit the
      // cache.
      assertThat(apply(h, Op.insert("k", "a1", v(10, 0))))
          .isEqualTo(accesses(0, 2, 0, 1, 1, 0, 1, 1, 2));
      apply(h, Op.insert("k", "a2", v(10, 1)));
      apply(h, Op.insert("k", "a3", v(11, 0)));
      apply(h, Op.insert("k", "a4", v(10, -1)));
      apply(h, Op.insert("k", "a5", v(9, 0)));
      apply(h, Op.insert("k", "b1", v(-10, 0)));
      apply(h, Op.insert("k", "b2", v(-10, 1)));
      apply(h, Op.insert("k", "b3", v(-11, 0)));
      // The ninth insert overflows bucket 1: reads the location, the meta, the super-root and
      // bucket 1; the split and the new root re-read buckets 1 and 2 from the cache to set their
      // parent. Writes buckets 1 and 2, root 3 and the super-root, the locations of b1..b4 (b4's
      // two placements, in 1 then in 2, reach state as one), and the meta.
      assertThat(apply(h, Op.insert("k", "b4", v(-10, -1))))
          .isEqualTo(accesses(2, 4, 0, 1, 4, 0, 1, 1, 2));
      h.processElement(Op.check("k"), 0);
      h.getOutput().clear();
      assertThat(answer(h, Op.count("k")).nodes()).isEqualTo(4);

      // Insert into bucket 1 without a split: reads the location (absent), the meta and the path
      // 0 → 3 → 1; the point lies inside every ball on its path, so no routing entry grows and
      // only the bucket is written, with the location and the meta. 5 reads, 3 writes.
      StateAccesses insert = apply(h, Op.insert("k", "x", v(10.5f, 0.5f)));
      assertThat(insert).isEqualTo(accesses(3, 1, 0, 1, 1, 0, 1, 1, 0));
      assertThat(insert.reads()).isEqualTo(5);
      assertThat(insert.writes()).isEqualTo(3);

      // Top-2 for (1,0): the meta and nodes 0, 3 and bucket 1, whose points fill the top 2 with
      // scores 11 and 10.5; bucket 2 (bound about -9.6) is pruned unread. 4 reads, no write.
      Answer top = answer(h, Op.topK("k", v(1, 0), 2));
      assertThat(top.ids()).containsExactly("a3", "x");
      StateAccesses search = top.accesses();
      assertThat(search).isEqualTo(accesses(3, 0, 0, 0, 0, 0, 1, 0, 0));
      assertThat(search.reads()).isEqualTo(4);
      assertThat(search.writes()).isZero();

      // Upsert within the same bucket: the delete reads the location, the meta, bucket 1, its
      // parent 3 and, to check the root's centre still nests, the super-root; the insert that
      // follows finds all five in the cache. Bucket 1 and root 3 (whose entry for bucket 1 the
      // delete re-tightened) are written once each; the super-root not at all, since the new
      // point grows no ball; the meta once, and the location not at all: it ends where the state
      // already has it.
      StateAccesses upsert = apply(h, Op.upsert("k", "a2", v(10, 0.8f)));
      assertThat(upsert).isEqualTo(accesses(3, 2, 0, 1, 0, 0, 1, 1, 5));

      // Delete from a bucket that keeps points: bucket 1 and root 3 are rewritten, the super-root
      // is only read (the root's centre still nests), the location is removed.
      assertThat(apply(h, Op.delete("k", "x"))).isEqualTo(accesses(3, 2, 0, 1, 0, 1, 1, 1, 0));
      apply(h, Op.delete("k", "b1"));
      apply(h, Op.delete("k", "b2"));
      apply(h, Op.delete("k", "b3"));

      // Delete the last point of bucket 2: the bucket goes, root 3 is left with one child and
      // collapses, so the super-root points at bucket 1 directly, which learns its new parent.
      // Reads: location, meta, nodes 2, 3, 0, 1. Writes: nodes 1 and 0 put, 2 and 3 removed, the
      // location removed, the meta.
      assertThat(apply(h, Op.delete("k", "b4"))).isEqualTo(accesses(4, 2, 2, 1, 0, 1, 1, 1, 0));
      h.processElement(Op.check("k"), 0);

      apply(h, Op.delete("k", "a1"));
      apply(h, Op.delete("k", "a2"));
      apply(h, Op.delete("k", "a4"));
      apply(h, Op.delete("k", "a5"));
      // The last point: its bucket and the super-root are removed, the meta cleared; the super-
      // root's rewrite before its removal never reaches state.
      assertThat(apply(h, Op.delete("k", "a3"))).isEqualTo(accesses(2, 0, 2, 1, 0, 1, 1, 1, 0));

      Answer count = answer(h, Op.count("k"));
      assertThat(count.nodes()).isZero();
      assertThat(count.locations()).isZero();
      assertThat(count.hasMeta()).isFalse();
      assertThat(MapStateNodeStoreHarnessTest.stateEntries(h)).isZero();
    } finally {
      h.close();
    }
  }

  /** Applies one operation and returns the state accesses it made. */
  private static StateAccesses apply(
      KeyedOneInputStreamOperatorTestHarness<String, Op, Answer> h, Op op) throws Exception {
    return answer(h, op).accesses();
  }

  private static Answer answer(KeyedOneInputStreamOperatorTestHarness<String, Op, Answer> h, Op op)
      throws Exception {
    h.getOutput().clear();
    h.processElement(op, 0);
    List<Answer> out = h.extractOutputValues();
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  private static float[] v(float x, float y) {
    return new float[] {x, y};
  }
}
