package io.simjoin.state;

import java.util.SplittableRandom;

/** Seeded test vectors of the shapes that stress an MIPS index. */
final class Data {
  private Data() {}

  static float[] gauss(SplittableRandom r, int d) {
    float[] v = new float[d];
    for (int i = 0; i < d; i++) {
      v[i] = (float) gaussian(r);
    }
    return v;
  }

  /** Small integers: products and sums are exact in float, so ties are exact ties. */
  static float[] ints(SplittableRandom r, int d, int range) {
    float[] v = new float[d];
    for (int i = 0; i < d; i++) {
      v[i] = r.nextInt(-range, range + 1);
    }
    return v;
  }

  /** Directions around a few centres with log-normal norms: what real embeddings look like. */
  static float[] clustered(SplittableRandom r, float[][] centres) {
    float[] c = centres[r.nextInt(centres.length)];
    int d = c.length;
    float[] v = new float[d];
    double n2 = 0;
    for (int i = 0; i < d; i++) {
      v[i] = (float) (c[i] + 0.1 * gaussian(r));
      n2 += v[i] * v[i];
    }
    double scale = Math.exp(0.5 * gaussian(r)) / Math.sqrt(Math.max(n2, 1e-30));
    for (int i = 0; i < d; i++) {
      v[i] = (float) (v[i] * scale);
    }
    return v;
  }

  static float[][] centres(SplittableRandom r, int count, int d) {
    float[][] c = new float[count][];
    for (int j = 0; j < count; j++) {
      float[] v = gauss(r, d);
      double n = 0;
      for (float x : v) {
        n += x * x;
      }
      for (int i = 0; i < d; i++) {
        v[i] = (float) (v[i] / Math.sqrt(n));
      }
      c[j] = v;
    }
    return c;
  }

  static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double w = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }
}
