package io.simjoin.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.state.kernel.DotKernel;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 8-bit codes a bucket screens with: every point's stated quantization error bounds its true
 * one, codes stay in [-127, 127], padding is zero, and a change to the points rebuilds them.
 */
class BucketCodesTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 17, 64})
  void statedErrorsBoundTheQuantizationErrorAndChangesRebuildTheCodes(int dim) {
    SplittableRandom r = new SplittableRandom(dim);
    Bucket b = new Bucket(dim, 4, true, 0, 0);
    for (int step = 0; step < 300; step++) {
      if (b.size() > 0 && r.nextInt(4) == 0) {
        b.removeAt(r.nextInt(b.size()));
      } else {
        float[] v = new float[dim];
        int kind = r.nextInt(5);
        for (int j = 0; j < dim; j++) {
          v[j] =
              switch (kind) {
                case 0 -> 0f; // zero vectors
                case 1 -> (float) (r.nextGaussian() * 1e-30); // tiny beside large neighbours
                case 2 -> (float) (r.nextGaussian() * 1e30);
                default -> (float) r.nextGaussian();
              };
        }
        b.insert("p" + step, v, 0, (float) norm(v), 0f, null, 0, 0f);
      }
      if (step % 10 == 0) {
        check(b, dim);
      }
    }
    check(b, dim);
  }

  private static void check(Bucket b, int dim) {
    Bucket.Codes codes = b.codes();
    int w = DotKernel.PANEL;
    assertThat(codes.panels()).hasSize(b.panelCount() * w * dim);
    for (int i = 0; i < b.panelCount() * w; i++) {
      double scale = codes.scales()[i / w];
      double error2 = 0;
      for (int j = 0; j < dim; j++) {
        byte code = codes.panels()[((i / w) * dim + j) * w + i % w];
        assertThat((int) code).isBetween(-127, 127);
        if (i >= b.size()) {
          assertThat(code).as("padding").isZero();
        } else {
          double e = b.vectors()[i * dim + j] - scale * code;
          error2 += e * e;
        }
      }
      if (i < b.size()) {
        assertThat(Math.sqrt(error2)).as("point %d", i).isLessThanOrEqualTo(codes.errors()[i]);
        // a useful bound: about half a step per component at most
        assertThat((double) codes.errors()[i])
            .isLessThanOrEqualTo(0.5 * scale * Math.sqrt(dim) * 1.01 + Float.MIN_VALUE * 4);
      }
    }
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }
}
