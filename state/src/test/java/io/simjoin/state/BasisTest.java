package io.simjoin.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BasisTest {

  /** Vectors whose energy sits in a few directions: a basis pays and must be found. */
  private static float[] decaying(SplittableRandom r, int d) {
    float[] v = new float[d];
    for (int i = 0; i < d; i++) {
      v[i] = (float) (Data.gaussian(r) * Math.pow(i + 1, -1.5));
    }
    return v;
  }

  @Test
  void learnsAnOrthonormalBasisOnADecayingSpectrumAndNoneOnIsotropicData() {
    SplittableRandom r = new SplittableRandom(1);
    int d = 64;
    int n = 3000;
    float[] sample = new float[n * d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(decaying(r, d), 0, sample, i * d, d);
    }
    Basis b = BasisChoice.learn(sample, n, d, n).basis();
    assertThat(b).isNotNull();
    assertThat(b.head()).isBetween(4, d / 4);
    double[] rows = b.rows();
    for (int x = 0; x < b.head(); x++) {
      for (int y = 0; y < b.head(); y++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += rows[x * d + j] * rows[y * d + j];
        }
        assertThat(s).isCloseTo(x == y ? 1 : 0, org.assertj.core.data.Offset.offset(1e-9));
      }
    }
    for (int i = 0; i < n; i++) {
      System.arraycopy(Data.gauss(r, d), 0, sample, i * d, d);
    }
    BasisChoice none = BasisChoice.learn(sample, n, d, n);
    assertThat(none.basis()).isNull();
    assertThat(none.cost()).isEqualTo(1);
  }

  /**
   * Non-negative vectors around a mean: x = max(0, ν + Σ_j s_j z_j e_j) with ν uniform over the
   * coordinates, 16 slowly decaying modes and a fast tail (the shape of real image vectors).
   */
  private static float[] imageLike(SplittableRandom r, int d) {
    float[] v = new float[d];
    double sum = 0;
    double[] s = new double[d];
    for (int j = 0; j < d; j++) {
      s[j] = j < 16 ? Math.pow(j + 1, -0.25) : Math.pow(16, -0.25) * Math.pow((j + 1) / 16.0, -1.5);
      sum += s[j] * s[j];
    }
    for (int j = 0; j < d; j++) {
      double x = 1 / Math.sqrt(d) + s[j] * Math.sqrt(0.3 / sum) * Data.gaussian(r);
      v[j] = (float) Math.max(0, x);
    }
    return v;
  }

  @Test
  void choosesTheHeadThatPrunesNotTheOneThatHoldsTheEnergy() {
    SplittableRandom r = new SplittableRandom(4);
    int d = 256;
    int n = 4096;
    float[] sample = new float[n * d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(imageLike(r, d), 0, sample, i * d, d);
    }
    BasisChoice choice = BasisChoice.learn(sample, n, d, 100_000);
    Basis b = choice.basis();
    assertThat(b).isNotNull();
    // Four leading directions hold 80 % of the energy: an energy rule would stop at a head of 4 ...
    Basis four = new Basis(d, 4, Arrays.copyOf(b.rows(), 4 * d));
    float[] h = new float[4];
    double tail2 = 0;
    double norm2 = 0;
    for (int i = 0; i < n; i++) {
      float[] v = Arrays.copyOfRange(sample, i * d, (i + 1) * d);
      double t = four.project(v, 0, h, 0);
      tail2 += t * t;
      norm2 += Oracle.dot(v, v);
    }
    assertThat(1 - tail2 / norm2).isGreaterThan(0.8);
    // ... but the measured choice is a longer head, which lets few points through.
    assertThat(b.head()).isGreaterThan(4);
    assertThat(choice.passFraction()).isLessThan(0.1);
    assertThat(choice.cost()).isLessThan(0.3);
    assertThat(choice.toString()).contains("head " + b.head()).contains("h=4 pass");
  }

  @Test
  void partialBoundNeverUndercutsTheProduct() {
    SplittableRandom r = new SplittableRandom(2);
    int d = 96;
    int n = 2000;
    float[] sample = new float[n * d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(decaying(r, d), 0, sample, i * d, d);
    }
    Basis b = BasisChoice.learn(sample, n, d, n).basis();
    float[] hq = new float[b.head()];
    float[] hp = new float[b.head()];
    for (int t = 0; t < 5000; t++) {
      // include vectors far from the learned distribution: a stale basis must stay exact
      float[] q = t % 2 == 0 ? decaying(r, d) : Data.gauss(r, d);
      float[] p = t % 3 == 0 ? Data.gauss(r, d) : decaying(r, d);
      double tq = b.project(q, 0, hq, 0);
      double tp = b.project(p, 0, hp, 0);
      double partial = 0;
      for (int i = 0; i < hq.length; i++) {
        partial += (double) hq[i] * hp[i];
      }
      double bound = partial + tq * tp + 1e-6 * Oracle.magnitude(q, p);
      assertThat(bound).isGreaterThanOrEqualTo(Oracle.dot(q, p));
    }
  }

  @Test
  void aTreeLearnsItsBasisAndStaysExactAcrossRelearning() {
    SplittableRandom r = new SplittableRandom(3);
    int d = 64;
    CoverTree t = CoverTree.builder(d).store(new HeapNodeStore()).build();
    Oracle o = new Oracle();
    int n = (int) CoverTree.FIRST_LEARN * 2;
    for (int i = 0; i < n; i++) {
      float[] v = decaying(r, d);
      t.insert("v" + i, v);
      o.put("v" + i, v);
      if (i + 1 == CoverTree.FIRST_LEARN - 1) {
        assertThat(t.partialProductLength()).isZero();
      }
    }
    assertThat(t.partialProductLength()).isPositive();
    t.checkInvariants();
    t.counters().reset();
    for (int j = 0; j < 50; j++) {
      float[] q = j % 5 == 0 ? Data.gauss(r, d) : decaying(r, d);
      o.assertTopK(q, 10, t.topK(q, 10));
    }
    assertThat(t.counters().partialDots()).isPositive();
    // deletes and upserts after learning keep heads consistent
    for (int i = 0; i < n; i += 3) {
      t.delete("v" + i);
      o.remove("v" + i);
    }
    for (int i = 1; i < n; i += 7) {
      float[] v = decaying(r, d);
      t.upsert("v" + i, v);
      o.put("v" + i, v);
    }
    t.checkInvariants();
    for (int j = 0; j < 50; j++) {
      float[] q = decaying(r, d);
      o.assertTopK(q, 7, t.topK(q, 7));
    }
  }
}
