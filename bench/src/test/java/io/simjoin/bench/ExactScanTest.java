package io.simjoin.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.simjoin.bench.data.VectorSet;
import io.simjoin.state.kernel.DotKernels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExactScanTest {

  /** The oracle: every score in double precision, sorted by score then id string. */
  private static List<double[]> oracle(VectorSet items, int[] ids, float[] q) {
    List<double[]> all = new ArrayList<>();
    for (int i = 0; i < items.n(); i++) {
      double s = 0;
      for (int t = 0; t < items.d(); t++) {
        s += (double) q[t] * items.get(i, t);
      }
      all.add(new double[] {s, ids == null ? i : ids[i]});
    }
    all.sort(
        Comparator.<double[]>comparingDouble(e -> -e[0])
            .thenComparing(e -> Integer.toString((int) e[1])));
    return all;
  }

  private static VectorSet gaussian(int n, int d, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] data = new float[n * d];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) rnd.nextGaussian();
    }
    return new VectorSet(n, d, data);
  }

  @ParameterizedTest
  @CsvSource({"1,700,1", "3,700,5", "17,1000,10", "64,1500,10", "129,600,50", "300,300,7"})
  void agreesWithADoublePrecisionOracle(int d, int n, int k) {
    VectorSet items = gaussian(n, d, d);
    ExactScan scan = new ExactScan(items);
    SplittableRandom rnd = new SplittableRandom(99);
    for (int rep = 0; rep < 20; rep++) {
      float[] q = new float[d];
      for (int t = 0; t < d; t++) {
        q[t] = (float) rnd.nextGaussian();
      }
      ExactScan.Result r = scan.topK(q, k);
      List<double[]> want = oracle(items, null, q);
      assertThat(r.size()).isEqualTo(k);
      for (int i = 0; i < k; i++) {
        double tol = 1e-5 * Math.max(1, Math.abs(want.get(0)[0]));
        // Float rounding may only swap rows whose exact scores are within tolerance.
        assertThat(want.get((int) findRank(want, r.ids()[i]))[0])
            .as("rank of row %d at position %d", r.ids()[i], i)
            .isCloseTo(want.get(i)[0], within(tol));
        assertThat((double) r.scores()[i]).isCloseTo(want.get(i)[0], within(tol));
        assertThat(r.scores()[i])
            .isEqualTo(DotKernels.best().dot(q, 0, items.data(), items.offset(r.ids()[i]), d));
      }
      assertThat(r.ids()).doesNotHaveDuplicates();
    }
  }

  /** Chunks with duplicate rows across them (ties), uneven sizes, and k beyond n. */
  @ParameterizedTest
  @CsvSource({"5,1", "5,10", "97,10", "300,1000"})
  void mergedChunkAnswersAreTheWholeScansAnswer(int chunkRows, int k) {
    int d = 8;
    VectorSet base = gaussian(250, d, 3);
    // Rows 250..499 repeat rows 0..249: every score is tied with a row in another chunk.
    float[] data = new float[500 * d];
    System.arraycopy(base.data(), 0, data, 0, base.data().length);
    System.arraycopy(base.data(), 0, data, base.data().length, base.data().length);
    VectorSet items = new VectorSet(500, d, data);
    SplittableRandom rnd = new SplittableRandom(5);
    for (int rep = 0; rep < 10; rep++) {
      float[] q = new float[d];
      for (int t = 0; t < d; t++) {
        q[t] = (float) rnd.nextGaussian();
      }
      ExactScan.Result whole = new ExactScan(items).topK(q, k);
      ExactScan.Result merged = new ExactScan.Result(new int[0], new float[0]);
      for (int first = 0; first < items.n(); first += chunkRows) {
        int rows = Math.min(chunkRows, items.n() - first);
        int[] ids = new int[rows];
        for (int r = 0; r < rows; r++) {
          ids[r] = first + r;
        }
        ExactScan.Result part = new ExactScan(items.select(ids), ids).topK(q, k);
        merged = ExactScan.merge(merged, part, k);
      }
      assertThat(merged.ids()).isEqualTo(whole.ids());
      assertThat(merged.scores()).isEqualTo(whole.scores());
    }
  }

  private static long findRank(List<double[]> sorted, int id) {
    for (int i = 0; i < sorted.size(); i++) {
      if ((int) sorted.get(i)[1] == id) {
        return i;
      }
    }
    throw new AssertionError("id " + id + " not in the data");
  }

  @Test
  void smallIntegersGiveExactTiesBrokenByIdString() {
    // Products and sums of small integers are exact in float: the order must match exactly.
    int n = 600;
    int d = 5;
    SplittableRandom rnd = new SplittableRandom(3);
    float[] data = new float[n * d];
    for (int i = 0; i < data.length; i++) {
      data[i] = rnd.nextInt(-2, 3);
    }
    VectorSet items = new VectorSet(n, d, data);
    ExactScan scan = new ExactScan(items);
    for (int rep = 0; rep < 50; rep++) {
      float[] q = new float[d];
      for (int t = 0; t < d; t++) {
        q[t] = rnd.nextInt(-2, 3);
      }
      int k = 1 + rnd.nextInt(80);
      ExactScan.Result r = scan.topK(q, k);
      List<double[]> want = oracle(items, null, q);
      for (int i = 0; i < k; i++) {
        assertThat(r.ids()[i]).as("position %d", i).isEqualTo((int) want.get(i)[1]);
        assertThat((double) r.scores()[i]).isEqualTo(want.get(i)[0]);
      }
    }
  }

  @Test
  void duplicateRowsComeInIdStringOrder() {
    int n = 25;
    float[] data = new float[n * 2];
    for (int i = 0; i < n; i++) {
      data[2 * i] = 1;
      data[2 * i + 1] = -0.5f;
    }
    ExactScan.Result r = new ExactScan(new VectorSet(n, 2, data)).topK(new float[] {3, 1}, 12);
    assertThat(r.ids()).containsExactly(0, 1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    assertThat(r.scores()).containsOnly(2.5f);
  }

  @Test
  void zeroVectorsKGreaterThanNAndMappedIds() {
    float[] data = {0, 0, 1, 1, -1, 0, 0, 0};
    VectorSet items = new VectorSet(4, 2, data);
    ExactScan.Result all = new ExactScan(items).topK(new float[] {1, 0}, 10);
    assertThat(all.ids()).containsExactly(1, 0, 3, 2);
    assertThat(all.scores()).containsExactly(1f, 0f, 0f, -1f);

    // Row i reported as ids[i]: ties now order by the mapped id strings ("100" < "7").
    ExactScan mapped = new ExactScan(items, new int[] {7, 3, 9, 100});
    assertThat(mapped.topK(new float[] {1, 0}, 3).ids()).containsExactly(3, 100, 7);

    assertThat(new ExactScan(new VectorSet(0, 2, new float[0])).topK(new float[] {1, 0}, 5).size())
        .isZero();
    assertThatThrownBy(() -> new ExactScan(items).topK(new float[] {1, 0}, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ExactScan(items).topK(new float[] {1, 0, 0}, 1))
        .hasMessageContaining("dimension 3, expected 2");
  }

  @Test
  void compareIdsIsStringOrder() {
    assertThat(ExactScan.compareIds(10, 9)).isNegative();
    assertThat(ExactScan.compareIds(2, 19)).isPositive();
    assertThat(ExactScan.compareIds(5, 5)).isZero();
  }
}
