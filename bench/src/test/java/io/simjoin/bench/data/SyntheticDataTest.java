package io.simjoin.bench.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.simjoin.bench.data.SyntheticData.Kind;
import io.simjoin.bench.data.SyntheticData.Role;
import java.util.Arrays;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyntheticDataTest {

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sameSeedSameBitsAndPrefixStable(Kind kind) {
    VectorSet a = SyntheticData.generate(kind, 9000, 24, 7, Role.ITEMS);
    VectorSet b = SyntheticData.generate(kind, 9000, 24, 7, Role.ITEMS);
    assertThat(b.data()).isEqualTo(a.data());
    // Chunks are seeded by position, so a smaller n is a prefix of a larger one.
    VectorSet prefix = SyntheticData.generate(kind, 5000, 24, 7, Role.ITEMS);
    assertThat(prefix.data()).isEqualTo(a.head(5000).data());

    VectorSet otherSeed = SyntheticData.generate(kind, 9000, 24, 8, Role.ITEMS);
    VectorSet queries = SyntheticData.generate(kind, 9000, 24, 7, Role.QUERIES);
    assertThat(otherSeed.row(0)).isNotEqualTo(a.row(0));
    assertThat(queries.row(0)).isNotEqualTo(a.row(0));
    for (float v : a.data()) {
      assertThat(Float.isFinite(v)).isTrue();
    }
  }

  /** Chunk by chunk, for data larger than the heap, must be the very rows of the whole set. */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void chunksAreTheRowsOfTheWholeSetInOrder(Kind kind) throws Exception {
    int n = 2 * 4096 + 17;
    int d = 8;
    float[] whole = SyntheticData.generate(kind, n, d, 7, Role.ITEMS).data();
    float[] joined = new float[n * d];
    int[] next = {0};
    SyntheticData.forEachChunk(
        kind,
        n,
        d,
        7,
        Role.ITEMS,
        (first, chunk) -> {
          assertThat(first).isEqualTo(next[0]);
          System.arraycopy(chunk.data(), 0, joined, first * d, chunk.n() * d);
          next[0] += chunk.n();
        });
    assertThat(next[0]).isEqualTo(n);
    assertThat(joined).isEqualTo(whole);
  }

  @Test
  void gaussIsStandardNormal() {
    VectorSet v = SyntheticData.generate(Kind.GAUSS, 20_000, 8, 1, Role.ITEMS);
    double sum = 0;
    double sq = 0;
    for (float x : v.data()) {
      sum += x;
      sq += x * x;
    }
    int m = v.data().length;
    assertThat(sum / m).isCloseTo(0, within(0.02));
    assertThat(sq / m).isCloseTo(1, within(0.03));
  }

  @Test
  void mfHasUniformDirectionsAndLogNormalNorms() {
    int n = 20_000;
    int d = 16;
    VectorSet v = SyntheticData.generate(Kind.MF, n, d, 3, Role.ITEMS);
    double[] logs = logNorms(v);
    assertThat(mean(logs)).isCloseTo(0, within(0.02));
    assertThat(sd(logs)).isCloseTo(SyntheticData.NORM_SIGMA, within(0.02));
    double[] dirMean = new double[d];
    for (int i = 0; i < n; i++) {
      double norm = Math.exp(logs[i]);
      for (int t = 0; t < d; t++) {
        dirMean[t] += v.get(i, t) / norm / n;
      }
    }
    assertThat(norm(dirMean)).isLessThan(0.05);
  }

  @Test
  void clusteredDirectionsHugTheirSharedCentres() {
    int d = 64;
    float[] centres = SyntheticData.centres(d, 5);
    for (int c = 0; c < SyntheticData.CENTRES; c++) {
      double s = 0;
      for (int t = 0; t < d; t++) {
        s += centres[c * d + t] * centres[c * d + t];
      }
      assertThat(s).isCloseTo(1, within(1e-5));
    }
    VectorSet items = SyntheticData.generate(Kind.CLUSTERED, 5000, d, 5, Role.ITEMS);
    VectorSet queries = SyntheticData.generate(Kind.CLUSTERED, 500, d, 5, Role.QUERIES);
    // Noise of norm ~0.06·√64 = 0.48 around a unit centre: cosine ≈ 0.9, far from the ~0.3 best
    // cosine with an unrelated random centre in 64 dimensions.
    for (VectorSet set : new VectorSet[] {items, queries}) {
      int[] hits = new int[SyntheticData.CENTRES];
      for (int i = 0; i < set.n(); i++) {
        double best = -1;
        int arg = -1;
        double rowNorm = 0;
        for (int t = 0; t < d; t++) {
          rowNorm += set.get(i, t) * set.get(i, t);
        }
        rowNorm = Math.sqrt(rowNorm);
        for (int c = 0; c < SyntheticData.CENTRES; c++) {
          double dot = 0;
          for (int t = 0; t < d; t++) {
            dot += set.get(i, t) * centres[c * d + t];
          }
          if (dot / rowNorm > best) {
            best = dot / rowNorm;
            arg = c;
          }
        }
        assertThat(best).as("row %d", i).isGreaterThan(0.75);
        hits[arg]++;
      }
      if (set == items) {
        for (int h : hits) {
          assertThat(h).isBetween(20, 90); // ~50 per centre: centres are drawn uniformly
        }
      }
    }
    double[] logs = logNorms(items);
    assertThat(mean(logs)).isCloseTo(0, within(0.03));
    assertThat(sd(logs)).isCloseTo(SyntheticData.NORM_SIGMA, within(0.03));
    assertThat(queries.row(0)).isNotEqualTo(items.row(0));
  }

  @Test
  void spectralHasItsMeanAndADecayingSpectrumInTheSeededBasis() {
    int n = 20_000;
    int d = 32;
    long seed = 11;
    float[] basis = SyntheticData.rotation(d, seed);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double dot = 0;
        for (int t = 0; t < d; t++) {
          dot += basis[i * d + t] * basis[j * d + t];
        }
        assertThat(dot).isCloseTo(i == j ? 1 : 0, within(1e-5));
      }
    }
    float[] mu = SyntheticData.mean(d, seed);
    assertThat(norm(toDouble(mu))).isCloseTo(1, within(1e-5));

    for (Role role : Role.values()) {
      VectorSet v = SyntheticData.generate(Kind.SPECTRAL, n, d, seed, role);
      double[] mean = new double[d];
      for (int i = 0; i < n; i++) {
        for (int t = 0; t < d; t++) {
          mean[t] += v.get(i, t) / (double) n;
        }
      }
      for (int t = 0; t < d; t++) {
        assertThat(mean[t]).isCloseTo(mu[t], within(0.03));
      }
      // Variance along basis row j is (j+1)^-1.5.
      float[] s = SyntheticData.spectrum(d);
      double[] variance = new double[d];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
          double p = 0;
          for (int t = 0; t < d; t++) {
            p += (v.get(i, t) - mu[t]) * basis[j * d + t];
          }
          variance[j] += p * p / n;
        }
      }
      for (int j = 0; j < d; j++) {
        assertThat(variance[j] / (s[j] * s[j])).as("component %d", j).isCloseTo(1, within(0.05));
      }
      assertThat(variance[0]).isGreaterThan(10 * variance[d - 1]);
    }
  }

  @Test
  void imageIsNonNegativeAroundItsMeanAndDiffersBeyondFourDirections() {
    int n = 8000;
    int d = 64;
    long seed = 13;
    float[] nu = SyntheticData.imageMean(d, seed);
    assertThat(norm(toDouble(nu))).isCloseTo(1, within(1e-5));
    float[] s = SyntheticData.imageSpectrum(d);
    double energy = 0;
    for (float x : s) {
      energy += x * x;
    }
    assertThat(energy).isCloseTo(SyntheticData.IMAGE_ENERGY, within(1e-5));

    VectorSet items = SyntheticData.generate(Kind.IMAGE, n, d, seed, Role.ITEMS);
    VectorSet queries = SyntheticData.generate(Kind.IMAGE, 40, d, seed, Role.QUERIES);
    int zeros = 0;
    double cosines = 0;
    for (int i = 0; i < n; i++) {
      double dot = 0;
      double sq = 0;
      for (int t = 0; t < d; t++) {
        float x = items.get(i, t);
        assertThat(Float.floatToIntBits(x)).as("row %d component %d", i, t).isNotNegative();
        zeros += x == 0 ? 1 : 0;
        dot += x * nu[t];
        sq += x * x;
      }
      cosines += dot / Math.sqrt(sq) / n;
    }
    // Clipping at zero happens, but the mean keeps most components positive.
    assertThat(zeros).isPositive().isLessThan(n * d / 5);
    assertThat(cosines).isGreaterThan(0.85);

    // The uncentred second moment: four directions hold 80 % of the energy, so an energy rule
    // would stop there ...
    double[][] m = new double[d][d];
    for (int i = 0; i < n; i++) {
      for (int a = 0; a < d; a++) {
        for (int b = 0; b < d; b++) {
          m[a][b] += items.get(i, a) * items.get(i, b) / n;
        }
      }
    }
    EigenDecomposition eigen = new EigenDecomposition(MatrixUtils.createRealMatrix(m));
    double[] values = eigen.getRealEigenvalues().clone();
    Integer[] order = new Integer[d];
    for (int i = 0; i < d; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    double trace = Arrays.stream(values).sum();
    double head4 = 0;
    for (int r = 0; r < 4; r++) {
      head4 += values[order[r]] / trace;
    }
    assertThat(head4).isBetween(0.8, 0.9);
    // ... but the partial-product bound over four of them lets far more points through to a full
    // product than one over sixteen (against each query's exact 10th score).
    double pass4 = partialPassFraction(items, queries, eigen, order, 4, 10);
    double pass16 = partialPassFraction(items, queries, eigen, order, 16, 10);
    assertThat(pass4).isGreaterThan(0.1);
    assertThat(pass16).isLessThan(pass4 / 4);
  }

  /**
   * Fraction of (query, item) pairs with {@code <q_h,p_h> + ‖q_rest‖·‖p_rest‖ >= } the query's
   * exact k-th score, heads in the eigenbasis' first {@code h} directions.
   */
  private static double partialPassFraction(
      VectorSet items, VectorSet queries, EigenDecomposition eigen, Integer[] order, int h, int k) {
    int d = items.d();
    double[][] rows = new double[h][];
    for (int r = 0; r < h; r++) {
      rows[r] = eigen.getEigenvector(order[r]).toArray();
    }
    double[][] itemHeads = new double[items.n()][];
    double[] itemTails = new double[items.n()];
    for (int i = 0; i < items.n(); i++) {
      itemHeads[i] = new double[h];
      itemTails[i] = headAndTail(items.row(i), rows, itemHeads[i]);
    }
    long passed = 0;
    for (int q = 0; q < queries.n(); q++) {
      float[] query = queries.row(q);
      double[] qHead = new double[h];
      double qTail = headAndTail(query, rows, qHead);
      double[] scores = new double[items.n()];
      for (int i = 0; i < items.n(); i++) {
        for (int t = 0; t < d; t++) {
          scores[i] += query[t] * items.get(i, t);
        }
      }
      double kth = Arrays.stream(scores).sorted().toArray()[items.n() - k];
      for (int i = 0; i < items.n(); i++) {
        double bound = qTail * itemTails[i];
        for (int r = 0; r < h; r++) {
          bound += qHead[r] * itemHeads[i][r];
        }
        passed += bound >= kth ? 1 : 0;
      }
    }
    return passed / (double) ((long) queries.n() * items.n());
  }

  private static double headAndTail(float[] v, double[][] rows, double[] head) {
    double sq = 0;
    for (float x : v) {
      sq += x * x;
    }
    for (int r = 0; r < rows.length; r++) {
      for (int t = 0; t < v.length; t++) {
        head[r] += rows[r][t] * v[t];
      }
      sq -= head[r] * head[r];
    }
    return Math.sqrt(Math.max(0, sq));
  }

  private static double[] logNorms(VectorSet v) {
    double[] out = new double[v.n()];
    for (int i = 0; i < v.n(); i++) {
      double s = 0;
      for (int t = 0; t < v.d(); t++) {
        s += v.get(i, t) * v.get(i, t);
      }
      out[i] = Math.log(Math.sqrt(s));
    }
    return out;
  }

  private static double[] toDouble(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  private static double norm(double[] a) {
    double s = 0;
    for (double x : a) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  private static double mean(double[] a) {
    double s = 0;
    for (double x : a) {
      s += x;
    }
    return s / a.length;
  }

  private static double sd(double[] a) {
    double m = mean(a);
    double s = 0;
    for (double x : a) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (a.length - 1));
  }
}
