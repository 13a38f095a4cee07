package io.simjoin.operators.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.state.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link StandingQuery#admits} and {@link StandingQuery#with} against a sorted list: an admitted
 * item lands where {@link Match#BEST_FIRST} puts it, ties (also +0 against -0) broken by id, and
 * the list never grows beyond k.
 */
class StandingQueryTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 10})
  void admitsAndInsertsExactlyAsSortingWould(int k) {
    SplittableRandom r = new SplittableRandom(k);
    for (int round = 0; round < 300; round++) {
      StandingQuery q = StandingQuery.of(1L, new float[] {1f}, k, Float.NaN, List.of());
      List<Match> reference = new ArrayList<>();
      for (int step = 0; step < 40; step++) {
        String id = "i" + r.nextInt(1000);
        if (q.holds(id)) {
          continue;
        }
        // few distinct scores, signed zeros among them: many exact ties
        float[] pool = {-1f, -0f, 0f, 0.5f, 1f, 2f};
        float score = pool[r.nextInt(pool.length)];
        List<Match> sorted = new ArrayList<>(reference);
        sorted.add(new Match(id, score));
        sorted.sort(Match.BEST_FIRST);
        boolean enters = sorted.indexOf(new Match(id, score)) < k;
        assertThat(q.admits(score, id))
            .as("admits %s=%s into %s", id, score, reference)
            .isEqualTo(enters);
        if (enters) {
          q = q.with(id, score);
          reference = new ArrayList<>(sorted.subList(0, Math.min(k, sorted.size())));
        }
        assertThat(q.matches()).isEqualTo(reference);
      }
    }
  }
}
