package io.simjoin.bench.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AxpyTest {
  @Test
  void vectorPathIsBitIdenticalToScalarOnOddSizesAndOffsets() {
    // Tests run with jdk.incubator.vector added, so BEST is the vector path here.
    assertThat(Axpy.BEST).isInstanceOf(VectorAxpy.class);
    SplittableRandom rnd = new SplittableRandom(5);
    for (int len = 0; len <= 131; len++) {
      int bOff = rnd.nextInt(7);
      int accOff = rnd.nextInt(7);
      float[] b = new float[len + bOff];
      float[] acc = new float[len + accOff];
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 5));
      }
      for (int i = 0; i < acc.length; i++) {
        acc[i] = (float) rnd.nextGaussian();
      }
      float a = (float) rnd.nextGaussian();
      float[] scalar = acc.clone();
      float[] vector = acc.clone();
      Axpy.SCALAR.axpy(a, b, bOff, scalar, accOff, len);
      Axpy.BEST.axpy(a, b, bOff, vector, accOff, len);
      assertThat(vector).as("len %d", len).isEqualTo(scalar);
    }
  }
}
