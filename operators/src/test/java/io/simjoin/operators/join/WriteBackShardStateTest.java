package io.simjoin.operators.join;

import static io.simjoin.operators.join.JoinSamples.matches;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Buffered updates are read back at once and reach the keyed state only at a flush, per key. */
class WriteBackShardStateTest {
  private final Map<String, HeapShardState> perKey = new HashMap<>();
  private String key = "a";

  /** A keyed state stand-in: a heap state per key, switched by {@link #key}. */
  private final ShardState keyed =
      new ShardState() {
        private HeapShardState current() {
          return perKey.computeIfAbsent(key, k -> new HeapShardState());
        }

        @Override
        public StandingQuery query(String id) {
          return current().query(id);
        }

        @Override
        public void putQuery(String id, StandingQuery q) {
          current().putQuery(id, q);
        }

        @Override
        public void updateQuery(String id, StandingQuery q) {
          current().updateQuery(id, q);
        }

        @Override
        public void removeQuery(String id) {
          current().removeQuery(id);
        }

        @Override
        public long queryCount() {
          return current().queryCount();
        }
      };

  private static StandingQuery q(long epoch, String... ids) {
    Object[] pairs = new Object[ids.length * 2];
    for (int i = 0; i < ids.length; i++) {
      pairs[2 * i] = ids[i];
      pairs[2 * i + 1] = 1f - i;
    }
    return StandingQuery.of(epoch, new float[] {1f}, 3, Float.NaN, matches(pairs));
  }

  @Test
  void updatesAreHeldPerKeyUntilFlushedAndRegistrationsGoThrough() {
    WriteBackShardState s = new WriteBackShardState(keyed, () -> key, 1000);
    s.putQuery("q", q(1));
    assertThat(perKey.get("a").query("q")).isNotNull();

    s.updateQuery("q", q(1, "x"));
    assertThat(s.query("q").ids()).containsExactly("x");
    assertThat(perKey.get("a").query("q").ids()).as("not written yet").isEmpty();
    key = "b";
    s.putQuery("q", q(2));
    s.updateQuery("q", q(2, "y", "z"));
    assertThat(s.query("q").ids()).containsExactly("y", "z");
    assertThat(s.size()).isEqualTo(2);

    s.flush(k -> key = k);
    assertThat(s.size()).isZero();
    assertThat(perKey.get("a").query("q").ids()).containsExactly("x");
    assertThat(perKey.get("b").query("q").ids()).containsExactly("y", "z");
    assertThat(perKey.get("a").queryCount()).isEqualTo(1);

    // a re-registration and a removal drop what was held for the query
    key = "a";
    s.updateQuery("q", q(1, "stale"));
    s.putQuery("q", q(3));
    s.flush(k -> key = k);
    assertThat(perKey.get("a").query("q").epoch()).isEqualTo(3);
    assertThat(perKey.get("a").query("q").ids()).isEmpty();
    s.updateQuery("q", q(3, "w"));
    s.removeQuery("q");
    assertThat(s.size()).isZero();
    s.flush(k -> key = k);
    assertThat(perKey.get("a").query("q")).isNull();
    assertThat(perKey.get("a").queryCount()).isZero();
    assertThat(List.of(s.queryCount())).containsExactly(0L);
  }

  @Test
  void keepsQueriesAcrossEventsUpToItsCapacity() {
    WriteBackShardState s = new WriteBackShardState(keyed, () -> key, 2);
    s.putQuery("q1", q(1));
    assertThat(s.isFull()).isFalse();
    s.putQuery("q2", q(2));
    assertThat(s.isFull()).isTrue();
    // kept: a read does not go to the keyed state (changed behind its back here)
    perKey.get("a").updateQuery("q1", q(1, "behind"));
    assertThat(s.query("q1").ids()).isEmpty();
    s.flush(k -> key = k);
    assertThat(s.isFull()).as("a full memory is forgotten at the flush").isFalse();
    assertThat(s.query("q1").ids()).containsExactly("behind");
  }
}
