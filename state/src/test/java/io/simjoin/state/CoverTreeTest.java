package io.simjoin.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CoverTreeTest {

  private static CoverTree tree(int dim) {
    return CoverTree.builder(dim).store(new HeapNodeStore()).bucketCapacity(8).fanout(4).build();
  }

  @Test
  void emptyTreeAnswersNothing() {
    CoverTree t = tree(3);
    assertThat(t.topK(new float[] {1, 2, 3}, 5)).isEmpty();
    assertThat(t.atLeast(new float[] {1, 2, 3}, -1e9)).isEmpty();
    assertThat(t.size()).isZero();
    assertThat(t.delete("x")).isFalse();
    t.checkInvariants();
  }

  @Test
  void rejectsBadInputWithMessagesThatSayWhatIsWrong() {
    CoverTree t = tree(3);
    assertThatThrownBy(() -> t.insert("a", new float[] {1, 2}))
        .hasMessageContaining("dimension 2")
        .hasMessageContaining("dimension is 3");
    assertThatThrownBy(() -> t.insert("a", new float[] {1, Float.NaN, 2}))
        .hasMessageContaining("component 1 is NaN");
    assertThatThrownBy(() -> t.insert("a", new float[] {1, Float.POSITIVE_INFINITY, 2}))
        .hasMessageContaining("Infinity");
    assertThatThrownBy(() -> t.insert("", new float[] {1, 2, 3})).hasMessageContaining("non-empty");
    assertThatThrownBy(() -> t.insert(null, new float[] {1, 2, 3}))
        .hasMessageContaining("non-empty");
    t.insert("a", new float[] {1, 2, 3});
    assertThatThrownBy(() -> t.insert("a", new float[] {1, 2, 3}))
        .hasMessageContaining("use upsert");
    assertThatThrownBy(() -> t.topK(new float[] {1, 2, 3}, 0))
        .hasMessageContaining("k must be positive");
    assertThatThrownBy(() -> t.atLeast(new float[] {1, 2, 3}, Double.NaN))
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> t.reverseSearch(new float[] {1, 2, 3}))
        .hasMessageContaining("bars(true)");
    assertThatThrownBy(() -> t.insert("b", new float[] {1, 2, 3}, 0.5f))
        .hasMessageContaining("bars(true)");
    assertThatThrownBy(() -> t.setBar("a", 0.5f)).hasMessageContaining("bars(true)");
    assertThatThrownBy(() -> CoverTree.builder(0).store(new HeapNodeStore()).build())
        .hasMessageContaining("dimension must be at least 1");
    assertThatThrownBy(() -> CoverTree.builder(3).build())
        .hasMessageContaining("store(new HeapNodeStore())");
    assertThatThrownBy(
            () -> CoverTree.builder(3).store(new HeapNodeStore()).bucketCapacity(1).build())
        .hasMessageContaining("bucketCapacity");
    assertThatThrownBy(() -> CoverTree.builder(3).store(new HeapNodeStore()).fanout(2).build())
        .hasMessageContaining("fanout must be at least 3");
    assertThat(t.size()).isEqualTo(1);
    t.checkInvariants();
  }

  @Test
  void reopeningAStoreOfAnotherDimensionFails() {
    HeapNodeStore store = new HeapNodeStore();
    CoverTree.builder(3).store(store).build().insert("a", new float[] {1, 2, 3});
    assertThatThrownBy(() -> CoverTree.builder(4).store(store).build())
        .hasMessageContaining("dimension 3, not 4");
    assertThat(CoverTree.builder(3).store(store).build().topK(new float[] {1, 0, 0}, 1))
        .extracting(Match::id)
        .containsExactly("a");
  }

  @Test
  void kLargerThanTheIndexReturnsEverythingInOrder() {
    CoverTree t = tree(4);
    Oracle o = new Oracle();
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 30; i++) {
      float[] v = Data.gauss(r, 4);
      t.insert("p" + i, v);
      o.put("p" + i, v);
    }
    float[] q = Data.gauss(r, 4);
    List<Match> all = t.topK(q, 1000);
    assertThat(all).hasSize(30);
    o.assertTopK(q, 1000, all);
  }

  @Test
  void exactTiesAreOrderedByIdAscending() {
    // Integer vectors make every product exact, so the tree must reproduce the oracle order
    // exactly.
    SplittableRandom r = new SplittableRandom(11);
    CoverTree t = tree(5);
    Oracle o = new Oracle();
    for (int i = 0; i < 400; i++) {
      float[] v = Data.ints(r, 5, 2);
      t.insert("id" + i, v);
      o.put("id" + i, v);
    }
    for (int j = 0; j < 50; j++) {
      float[] q = Data.ints(r, 5, 2);
      List<Match> got = t.topK(q, 25);
      List<Oracle.Hit> want = o.topK(q, 25);
      assertThat(got)
          .extracting(Match::id)
          .containsExactlyElementsOf(want.stream().map(Oracle.Hit::id).toList());
    }
    t.checkInvariants();
  }

  @Test
  void duplicatesAndZeroVectors() {
    CoverTree t = tree(6);
    Oracle o = new Oracle();
    float[] same = {1, -2, 3, 0, 0, 1};
    for (int i = 0; i < 100; i++) {
      float[] v = i % 3 == 0 ? new float[6] : same;
      t.insert("d" + i, v);
      o.put("d" + i, v);
    }
    t.checkInvariants();
    o.assertTopK(same, 10, t.topK(same, 10));
    // A zero query scores 0 against everything: the answer is the k smallest ids.
    float[] zero = new float[6];
    List<Match> z = t.topK(zero, 7);
    o.assertTopK(zero, 7, z);
    assertThat(z)
        .extracting(Match::id)
        .containsExactlyElementsOf(o.topK(zero, 7).stream().map(Oracle.Hit::id).toList());
    for (int i = 0; i < 100; i += 2) {
      assertThat(t.delete("d" + i)).isTrue();
      o.remove("d" + i);
      t.checkInvariants();
    }
    o.assertTopK(same, 100, t.topK(same, 100));
  }

  @Test
  void upsertReplacesTheVector() {
    CoverTree t = tree(2);
    assertThat(t.upsert("a", new float[] {1, 0})).isFalse();
    t.insert("b", new float[] {0, 1});
    assertThat(t.upsert("a", new float[] {0, 5})).isTrue();
    assertThat(t.topK(new float[] {0, 1}, 2))
        .containsExactly(new Match("a", 5f), new Match("b", 1f));
    assertThat(t.vector("a")).containsExactly(0, 5);
    assertThat(t.size()).isEqualTo(2);
    t.checkInvariants();
  }

  @Test
  void deletingEverythingLeavesAnEmptyStore() {
    HeapNodeStore store = new HeapNodeStore();
    CoverTree t = CoverTree.builder(8).store(store).bucketCapacity(4).fanout(3).build();
    SplittableRandom r = new SplittableRandom(3);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      t.insert("x" + i, Data.gauss(r, 8));
      ids.add("x" + i);
    }
    t.checkInvariants();
    for (String id : ids) {
      assertThat(t.delete(id)).isTrue();
    }
    assertThat(store.nodeCount()).isZero();
    assertThat(store.locationCount()).isZero();
    assertThat(store.meta()).isNull();
    // and the tree is usable again
    t.insert("again", new float[8]);
    t.checkInvariants();
  }

  static Stream<Arguments> dimensions() {
    return Stream.of(1, 2, 3, 7, 16, 31, 64, 100, 128, 300)
        .flatMap(d -> Stream.of(Arguments.of(d, "gauss"), Arguments.of(d, "clustered")));
  }

  @ParameterizedTest(name = "d={0} {1}")
  @MethodSource("dimensions")
  void matchesTheOracleOnEveryDimension(int d, String kind) {
    SplittableRandom r = new SplittableRandom(1000L * d + kind.length());
    float[][] centres = Data.centres(r, 5, d);
    int n = d >= 100 ? 1500 : 3000;
    CoverTree t =
        CoverTree.builder(d).store(new HeapNodeStore()).bucketCapacity(16).fanout(8).build();
    Oracle o = new Oracle();
    for (int i = 0; i < n; i++) {
      float[] v = kind.equals("gauss") ? Data.gauss(r, d) : Data.clustered(r, centres);
      t.insert(Integer.toString(i), v);
      o.put(Integer.toString(i), v);
    }
    t.checkInvariants();
    for (int j = 0; j < 40; j++) {
      float[] q = kind.equals("gauss") ? Data.gauss(r, d) : Data.clustered(r, centres);
      int k = 1 + r.nextInt(20);
      o.assertTopK(q, k, t.topK(q, k));
    }
    // delete a third, including points that are in someone's top-k
    float[] probe = kind.equals("gauss") ? Data.gauss(r, d) : Data.clustered(r, centres);
    for (Match m : t.topK(probe, 10)) {
      t.delete(m.id());
      o.remove(m.id());
    }
    for (int i = 0; i < n; i += 3) {
      t.delete(Integer.toString(i));
      o.remove(Integer.toString(i));
    }
    t.checkInvariants();
    o.assertTopK(probe, 10, t.topK(probe, 10));
    for (int j = 0; j < 20; j++) {
      float[] q = kind.equals("gauss") ? Data.gauss(r, d) : Data.clustered(r, centres);
      o.assertTopK(q, 10, t.topK(q, 10));
      List<Oracle.Hit> top = o.topK(q, 30);
      double threshold = top.get(top.size() - 1).score();
      o.assertAtLeast(q, threshold, t.atLeast(q, threshold));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 64})
  void tinyNodesStillHoldTheInvariants(int bucket) {
    CoverTree t =
        CoverTree.builder(3).store(new HeapNodeStore()).bucketCapacity(bucket).fanout(3).build();
    Oracle o = new Oracle();
    SplittableRandom r = new SplittableRandom(bucket);
    for (int i = 0; i < 2000; i++) {
      float[] v = Data.gauss(r, 3);
      t.insert("t" + i, v);
      o.put("t" + i, v);
    }
    t.checkInvariants();
    for (int j = 0; j < 30; j++) {
      float[] q = Data.gauss(r, 3);
      o.assertTopK(q, 5, t.topK(q, 5));
    }
  }

  @Test
  void countersCountTheWork() {
    CoverTree t = tree(16);
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < 1000; i++) {
      t.insert("c" + i, Data.gauss(r, 16));
    }
    t.counters().reset();
    t.topK(Data.gauss(r, 16), 3);
    TreeCounters c = t.counters().snapshot();
    assertThat(c.dots()).isPositive();
    assertThat(c.nodesVisited()).isPositive();
    // every visited node is read exactly once, and nothing is written by a search
    assertThat(c.storeReads()).isEqualTo(c.nodesVisited());
    assertThat(c.storeWrites()).isZero();
  }
}
