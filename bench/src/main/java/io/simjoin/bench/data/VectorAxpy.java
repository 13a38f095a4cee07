package io.simjoin.bench.data;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Axpy} with the Vector API; loaded only when the incubator module is present.
 *
 * <pre>{@code
 * new VectorAxpy().axpy(2f, row, 0, acc, 0, d);
 * }</pre>
 */
final class VectorAxpy extends Axpy {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  @Override
  void axpy(float a, float[] b, int bOff, float[] acc, int accOff, int len) {
    int t = 0;
    int bound = SPECIES.loopBound(len);
    // mul then add, never fma: the scalar fallback rounds twice and must give the same bits.
    for (; t < bound; t += SPECIES.length()) {
      FloatVector x = FloatVector.fromArray(SPECIES, b, bOff + t).mul(a);
      FloatVector.fromArray(SPECIES, acc, accOff + t).add(x).intoArray(acc, accOff + t);
    }
    for (; t < len; t++) {
      acc[accOff + t] += a * b[bOff + t];
    }
  }
}
