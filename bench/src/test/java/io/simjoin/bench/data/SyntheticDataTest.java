package io.simjoin.bench.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.simjoin.bench.data.SyntheticData.Kind;
import io.simjoin.bench.data.SyntheticData.Role;
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
