package io.simjoin.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded stream for the join's integration tests, and what the brute-force oracle expects of it:
 * upserts, changed vectors, deletes of items in someone's top-k, registers, re-registers, cancels,
 * one-shot queries, thresholds and bad events, over three namespaces of dimension {@value #D}. The
 * expectations do not depend on how the item and query streams interleave, so any runner (collect
 * sinks, Kafka) can check its outputs with {@link #check}.
 *
 * <pre>{@code
 * JoinScenario sc = JoinScenario.generate(7);
 * // run sc.items and sc.queries through the join, collect its three outputs, then:
 * sc.check(updates, alerts, deadLetters);
 * }</pre>
 */
public final class JoinScenario {
  /** The dimension of every namespace. */
  public static final int D = 8;

  /** A standing query as the oracle holds it. */
  public record Standing(String ns, String id, float[] v, int k, Float threshold) {}

  public final List<ItemEvent> items = new ArrayList<>();
  public final List<QueryEvent> queries = new ArrayList<>();

  /** namespace → item id → vector, after the whole item stream. */
  public final Map<String, Map<String, float[]>> live = new HashMap<>();

  /** "namespace/id" → the standing query at the end. */
  public final Map<String, Standing> standing = new LinkedHashMap<>();

  public final Set<String> cancelled = new HashSet<>();
  public final Map<String, Integer> registrations = new HashMap<>();

  /** Dead letters the stream must cause, by reason; a runner adding bad records adds to it. */
  public final Map<DeadLetter.Reason, Integer> expectedDead =
      new EnumMap<>(DeadLetter.Reason.class);

  private JoinScenario() {}

  /**
   * About 1,500 item events and 80 query events over three namespaces, plus bad events of each kind
   * the validator and the shards refuse.
   */
  public static JoinScenario generate(long seed) {
    JoinScenario sc = new JoinScenario();
    SplittableRandom r = new SplittableRandom(seed);
    String[] namespaces = {"books", "films", "music"};
    List<ItemEvent> items = sc.items;
    List<QueryEvent> queries = sc.queries;
    Map<String, Map<String, float[]>> live = sc.live;
    Map<String, Standing> standing = sc.standing;
    Set<String> cancelled = sc.cancelled;
    Map<String, Integer> registrations = sc.registrations;
    Map<DeadLetter.Reason, Integer> expectedDead = sc.expectedDead;
    long ts = 1_000;
    for (String ns : namespaces) {
      live.put(ns, new HashMap<>());
    }
    for (int i = 0; i < 1500; i++) {
      String ns = namespaces[r.nextInt(namespaces.length)];
      Map<String, float[]> l = live.get(ns);
      int op = r.nextInt(10);
      if (op < 7 || l.isEmpty()) {
        String id =
            !l.isEmpty() && r.nextInt(5) == 0 ? JoinOracle.pick(r, l.keySet()) : ns + "-i" + i;
        float[] v = JoinOracle.vector(r, D);
        items.add(ItemEvent.upsert(ns, id, v, ts++));
        l.put(id, v);
      } else {
        String id = JoinOracle.pick(r, l.keySet());
        items.add(ItemEvent.delete(ns, id, ts++));
        l.remove(id);
      }
    }
    // bad items, late enough that every shard has fixed its dimension
    float[] nan = JoinOracle.vector(r, D);
    nan[3] = Float.NaN;
    items.add(ItemEvent.of("books", "bad-nan", ItemEvent.Op.UPSERT, nan, ts++));
    items.add(ItemEvent.of("books", "", ItemEvent.Op.UPSERT, JoinOracle.vector(r, D), ts++));
    items.add(ItemEvent.delete("films", "never-upserted", ts++));
    expectedDead.merge(DeadLetter.Reason.NON_FINITE_COMPONENT, 1, Integer::sum);
    expectedDead.merge(DeadLetter.Reason.EMPTY_ID, 1, Integer::sum);
    expectedDead.merge(DeadLetter.Reason.UNKNOWN_ITEM, 1, Integer::sum);
    items.add(ItemEvent.upsert("bad\u001fns", "x", JoinOracle.vector(r, D), ts++));
    expectedDead.merge(DeadLetter.Reason.INVALID_NAMESPACE, 1, Integer::sum);

    for (int i = 0; i < 80; i++) {
      String ns = namespaces[r.nextInt(namespaces.length)];
      String id = "q" + r.nextInt(40); // collisions are re-registers
      String key = ns + "/" + id;
      int op = r.nextInt(10);
      if (op < 7) {
        float[] v = JoinOracle.vector(r, D);
        int k = 1 + r.nextInt(8);
        Float threshold = r.nextInt(3) == 0 ? (float) (1 + r.nextDouble()) : null;
        queries.add(QueryEvent.of(ns, id, QueryEvent.Op.REGISTER, v, k, threshold, ts++));
        standing.put(key, new Standing(ns, id, v, k, threshold));
        registrations.merge(key, 1, Integer::sum);
        cancelled.remove(key);
      } else if (op < 9 && standing.containsKey(key)) {
        queries.add(QueryEvent.cancel(ns, id, ts++));
        standing.remove(key);
        cancelled.add(key);
      } else {
        queries.add(
            QueryEvent.once(ns, "once-" + i, JoinOracle.vector(r, D), 1 + r.nextInt(5), ts++));
      }
    }
    queries.add(
        QueryEvent.of(
            "books", "bad-k", QueryEvent.Op.REGISTER, JoinOracle.vector(r, D), 0, null, ts++));
    queries.add(QueryEvent.cancel("music", "never-registered", ts++));
    expectedDead.merge(DeadLetter.Reason.K_NOT_POSITIVE, 1, Integer::sum);
    expectedDead.merge(DeadLetter.Reason.UNKNOWN_QUERY, 1, Integer::sum);
    queries.add(QueryEvent.once("bad\u001fns", "q", JoinOracle.vector(r, D), 3, ts++));
    expectedDead.merge(DeadLetter.Reason.INVALID_NAMESPACE, 1, Integer::sum);

    return sc;
  }

  /**
   * Asserts the outputs of a run over this scenario against the oracle: seq without gaps or
   * repeats, every standing query's last update its exact top-k over the live items, cancels last,
   * live alerts exactly the live items at or above each threshold, and the dead letters by reason.
   */
  public void check(
      List<TopKUpdate> outUpdates, List<ThresholdMatch> outAlerts, List<DeadLetter> outDead) {
    JoinScenario sc = this;
    Map<String, Map<String, float[]>> live = sc.live;
    Map<String, Standing> standing = sc.standing;
    Map<String, Integer> registrations = sc.registrations;
    Map<String, TopKUpdate> last = new HashMap<>();
    Map<String, Long> lastSeq = new HashMap<>();
    for (TopKUpdate u : outUpdates) {
      String key = u.namespace() + "/" + u.queryId();
      long prev = lastSeq.getOrDefault(key, 0L);
      boolean restart =
          u.seq() == 1
              && last.containsKey(key)
              && last.get(key).cause().kind() == UpdateCause.Kind.CANCELLED;
      if (u.seq() != prev + 1 && !restart && !u.queryId().startsWith("once-")) {
        fail("seq of " + key + " went from " + prev + " to " + u.seq());
      }
      lastSeq.put(key, u.seq());
      last.put(key, u);
    }
    for (Standing s : standing.values()) {
      TopKUpdate u = last.get(s.ns + "/" + s.id);
      assertThat(u).as("an update for %s/%s", s.ns, s.id).isNotNull();
      JoinOracle.assertTopK(s.ns + "/" + s.id, s.v, s.k, u.matches(), live.get(s.ns));
    }
    for (String key : sc.cancelled) {
      assertThat(last.get(key).cause().kind()).as(key).isEqualTo(UpdateCause.Kind.CANCELLED);
    }

    // Alerts carry no registration, so they are checked for queries registered exactly once:
    // alerts minus retractions must be exactly the live items at or above the threshold.
    Map<String, Set<String>> liveAlerts = new HashMap<>();
    for (ThresholdMatch a : outAlerts) {
      String key = a.namespace() + "/" + a.queryId();
      if (registrations.getOrDefault(key, 0) != 1) {
        continue;
      }
      Set<String> s = liveAlerts.computeIfAbsent(key, x -> new HashSet<>());
      if (a.isRetraction()) {
        if (!s.remove(a.itemId())) {
          fail("retraction of " + a.itemId() + " for " + key + " without an alert");
        }
      } else if (!s.add(a.itemId())) {
        fail("duplicate alert of " + a.itemId() + " for " + key);
      }
    }
    int checkedAlerts = 0;
    for (Standing s : standing.values()) {
      if (s.threshold == null || registrations.get(s.ns + "/" + s.id) != 1) {
        continue;
      }
      checkedAlerts++;
      Set<String> got = liveAlerts.getOrDefault(s.ns + "/" + s.id, Set.of());
      for (Map.Entry<String, float[]> e : live.get(s.ns).entrySet()) {
        double score = JoinOracle.dot(s.v, e.getValue());
        double tol = 1e-5 * (1 + Math.abs(score));
        if (score >= s.threshold + tol && !got.contains(e.getKey())) {
          fail(s.ns + "/" + s.id + " has no live alert for " + e.getKey() + " at " + score);
        }
        if (score < s.threshold - tol && got.contains(e.getKey())) {
          fail(s.ns + "/" + s.id + " has a live alert for " + e.getKey() + " at " + score);
        }
      }
    }

    assertThat(checkedAlerts).as("threshold queries checked").isPositive();

    Map<DeadLetter.Reason, Integer> gotDead = new EnumMap<>(DeadLetter.Reason.class);
    for (DeadLetter d : outDead) {
      gotDead.merge(d.reason(), 1, Integer::sum);
    }
    assertThat(gotDead).isEqualTo(sc.expectedDead);
  }
}
