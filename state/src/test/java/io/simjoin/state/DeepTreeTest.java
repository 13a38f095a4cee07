package io.simjoin.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 100,000 points in the smallest nodes the tree allows, so the tree is as deep as it gets: any
 * recursion proportional to depth or size would overflow here; the tree and checker use none.
 */
class DeepTreeTest {

  @Test
  void hundredThousandPointsInTinyNodes() {
    int d = 2;
    HeapNodeStore store = new HeapNodeStore();
    CoverTree t = CoverTree.builder(d).store(store).bucketCapacity(2).fanout(3).build();
    Oracle o = new Oracle();
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; i < 100_000; i++) {
      // points along a spiral: a long chain of nearby balls
      double a = i * 0.01;
      float[] v = {(float) (a * Math.cos(a)), (float) (a * Math.sin(a))};
      t.insert("s" + i, v);
      o.put("s" + i, v);
    }
    t.checkInvariants();
    for (int j = 0; j < 20; j++) {
      float[] q = Data.gauss(r, d);
      o.assertTopK(q, 10, t.topK(q, 10));
    }
    for (int i = 0; i < 100_000; i += 2) {
      t.delete("s" + i);
      o.remove("s" + i);
    }
    t.checkInvariants();
    assertThat(store.nodeCount()).isLessThanOrEqualTo(2L * t.size() + 1);
    for (int j = 0; j < 20; j++) {
      float[] q = Data.gauss(r, d);
      o.assertTopK(q, 10, t.topK(q, 10));
    }
  }
}
