package io.simjoin.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 10,000-step random sequences of inserts, deletes, upserts and queries, checked against the oracle
 * at every query and against the invariants along the way.
 */
class CoverTreeRandomOpsTest {

  @ParameterizedTest(name = "seed={0} d={1} bucket={2} fanout={3} checkEvery={4}")
  @CsvSource({
    "1, 3, 4, 3, 1",
    "2, 8, 8, 4, 10",
    "3, 32, 16, 8, 50",
    "4, 64, 64, 32, 100",
    "5, 2, 2, 3, 1",
    "6, 17, 5, 5, 25"
  })
  void randomOperationSequence(long seed, int d, int bucket, int fanout, int checkEvery) {
    SplittableRandom r = new SplittableRandom(seed);
    HeapNodeStore store = new HeapNodeStore();
    CoverTree t = CoverTree.builder(d).store(store).bucketCapacity(bucket).fanout(fanout).build();
    Oracle o = new Oracle();
    List<String> live = new ArrayList<>();
    float[][] centres = Data.centres(r, 4, d);
    int nextId = 0;
    for (int step = 0; step < 10_000; step++) {
      int op = r.nextInt(100);
      if (op < 45 || live.isEmpty()) {
        String id = "i" + nextId++;
        float[] v = vector(r, d, centres);
        t.insert(id, v);
        o.put(id, v);
        live.add(id);
      } else if (op < 70) {
        String id = live.remove(r.nextInt(live.size()));
        assertThat(t.delete(id)).isTrue();
        o.remove(id);
      } else if (op < 80) {
        String id = live.get(r.nextInt(live.size()));
        float[] v = vector(r, d, centres);
        assertThat(t.upsert(id, v)).isTrue();
        o.put(id, v);
      } else if (op < 95) {
        float[] q = vector(r, d, centres);
        int k = 1 + r.nextInt(12);
        o.assertTopK(q, k, t.topK(q, k));
      } else {
        // delete what a query ranks best: the deletes a standing query cares about most
        float[] q = vector(r, d, centres);
        for (Match m : t.topK(q, 2)) {
          t.delete(m.id());
          o.remove(m.id());
          live.remove(m.id());
        }
      }
      assertThat(t.size()).isEqualTo(live.size());
      if (step % checkEvery == 0) {
        try {
          t.checkInvariants();
        } catch (IllegalStateException e) {
          throw new AssertionError("after step " + step + " (op " + op + "): " + e.getMessage(), e);
        }
      }
    }
    t.checkInvariants();
    assertThat(store.nodeCount()).isLessThanOrEqualTo(2L * live.size() + 1);
  }

  private static float[] vector(SplittableRandom r, int d, float[][] centres) {
    return switch (r.nextInt(10)) {
      case 0 -> new float[d];
      case 1, 2 -> Data.ints(r, d, 1);
      case 3, 4, 5 -> Data.gauss(r, d);
      default -> Data.clustered(r, centres);
    };
  }
}
