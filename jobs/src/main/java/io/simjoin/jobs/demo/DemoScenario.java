package io.simjoin.jobs.demo;

import io.simjoin.bench.data.SyntheticData;
import io.simjoin.bench.data.SyntheticData.Kind;
import io.simjoin.bench.data.SyntheticData.Role;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The demo's generated world, and the truth the demo checks itself against: a catalogue of items
 * (clustered, embedding-like vectors) that is upserted, changed and deleted, users whose standing
 * queries are registered, re-registered as their taste changes and cancelled, a few alert profiles
 * with thresholds that fire, and ONCE lookups. Everything is seeded, so a run is reproducible up to
 * timing.
 *
 * <pre>{@code
 * DemoScenario s = new DemoScenario(new DemoScenario.Settings(10_000, 2_000, 64, 1));
 * s.seed(events, now);                 // the catalogue, the users, the alert profiles
 * while (streaming) s.step(events, now); // one item event, and now and then a query event
 * s.catalogue(); s.standing();         // what the job should hold at the end
 * }</pre>
 *
 * <p>Not thread-safe: one producer thread drives it; read the truth after that thread stopped.
 */
public final class DemoScenario {
  /** The namespace of every event on a broker of the demo's own: one catalogue. */
  public static final String NAMESPACE = "demo";

  /** k of every query. */
  public static final int K = 10;

  /** Alert profiles: standing queries with a threshold. */
  public static final int ALERT_PROFILES = 4;

  /** The share of the first catalogue above an alert profile's threshold: it fires now and then. */
  static final double ALERT_SHARE = 0.004;

  // One item event in LOOKUP_EVERY brings a ONCE lookup, and so on: a few query events per second
  // at the default rate, enough to see every kind without drowning the item stream.
  static final int LOOKUP_EVERY = 50;
  static final int RETASTE_EVERY = 100;
  static final int CHURN_EVERY = 200;

  /** The users whose top-k the progress shows: never cancelled, so there is always something. */
  public static final List<String> SHOWN_USERS = List.of(userId(0), userId(1));

  /**
   * The sizes of a scenario, and its namespace (on a shared Kafka, one of its own per run, so that
   * another run's updates on the same topics cannot mix in).
   */
  public record Settings(int items, int users, int dim, long seed, String namespace) {
    public Settings {
      if (items < 1 || users < SHOWN_USERS.size() || dim < 1) {
        throw new IllegalArgumentException(
            "need at least 1 item, " + SHOWN_USERS.size() + " users and dimension 1");
      }
    }
  }

  /** A standing query as the job should hold it: its last registered vector, k and threshold. */
  public record Standing(float[] vector, int k, float threshold) {
    public boolean hasThreshold() {
      return !Float.isNaN(threshold);
    }
  }

  /** Where the scenario's events go (the demo's producer). */
  public interface Events {
    void item(ItemEvent e);

    void query(QueryEvent e);
  }

  private final Settings settings;
  private final SplittableRandom rnd;
  // Pools of vectors drawn in turn; each draw is jittered, so no two items share a vector.
  private final VectorSet itemPool;
  private final VectorSet userPool;
  private int itemCursor;
  private int userCursor;
  // The live catalogue: item number -> vector, plus an array of the live numbers for O(1) picks.
  private final Int2ObjectOpenHashMap<float[]> catalogue = new Int2ObjectOpenHashMap<>();
  private final IntArrayList liveItems = new IntArrayList();
  private final Int2IntOpenHashMap livePos = new Int2IntOpenHashMap();
  private int nextItem;
  private final Map<String, Standing> standing = new LinkedHashMap<>();
  private final List<String> churnable = new ArrayList<>();
  private final List<String> cancelled = new ArrayList<>();
  private int nextUser;
  private long steps;
  private long lookups;

  public DemoScenario(Settings settings) {
    this.settings = settings;
    this.rnd = new SplittableRandom(settings.seed());
    int d = settings.dim();
    this.itemPool =
        SyntheticData.generate(
            Kind.CLUSTERED, Math.max(1024, 2 * settings.items()), d, settings.seed(), Role.ITEMS);
    this.userPool =
        SyntheticData.generate(
            Kind.CLUSTERED,
            Math.max(1024, 2 * settings.users() + ALERT_PROFILES),
            d,
            settings.seed(),
            Role.QUERIES);
    livePos.defaultReturnValue(-1);
  }

  public static String itemId(int n) {
    return "sku-" + n;
  }

  public static String userId(int n) {
    return "user-" + n;
  }

  public static String alertId(int n) {
    return "alert-" + n;
  }

  /** Whether a query id is a ONCE lookup's (its answers are not standing top-k lists). */
  public static boolean isLookup(String queryId) {
    return queryId.startsWith("lookup-");
  }

  /** The first catalogue, then the users' standing queries, then the alert profiles. */
  public void seed(Events out, long now) {
    for (int i = 0; i < settings.items(); i++) {
      upsert(out, nextItem++, now);
    }
    for (int u = 0; u < settings.users(); u++) {
      register(out, userId(nextUser++), nextUserVector(), Float.NaN, now);
    }
    for (int a = 0; a < ALERT_PROFILES; a++) {
      float[] v = nextUserVector();
      register(out, alertId(a), v, thresholdFor(v), now);
    }
  }

  /**
   * One item event (a change, a new item or a delete, keeping the catalogue near its size) and,
   * every so often, a ONCE lookup, a user's change of taste (a re-registration) or a user leaving
   * (a cancel) and another arriving.
   */
  public void step(Events out, long now) {
    steps++;
    double r = rnd.nextDouble();
    if (liveItems.size() < settings.items() * 0.9 || r < 0.25) {
      upsert(out, nextItem++, now);
    } else if (r < 0.75) {
      upsert(out, liveItems.getInt(rnd.nextInt(liveItems.size())), now);
    } else {
      delete(out, liveItems.getInt(rnd.nextInt(liveItems.size())), now);
    }
    if (steps % LOOKUP_EVERY == 0) {
      out.query(
          QueryEvent.once(settings.namespace(), "lookup-" + lookups++, nextUserVector(), K, now));
    }
    if (steps % RETASTE_EVERY == RETASTE_EVERY / 4) {
      retaste(out, now);
    }
    if (steps % CHURN_EVERY == CHURN_EVERY / 3 && !churnable.isEmpty()) {
      String gone = churnable.remove(rnd.nextInt(churnable.size()));
      standing.remove(gone);
      cancelled.add(gone);
      out.query(QueryEvent.cancel(settings.namespace(), gone, now));
      register(out, userId(nextUser++), nextUserVector(), Float.NaN, now);
    }
  }

  private void upsert(Events out, int n, long now) {
    float[] v = jittered(itemPool, itemCursor++ % itemPool.n());
    if (catalogue.put(n, v) == null) {
      livePos.put(n, liveItems.size());
      liveItems.add(n);
    }
    out.item(ItemEvent.upsert(settings.namespace(), itemId(n), v, now));
  }

  private void delete(Events out, int n, long now) {
    catalogue.remove(n);
    int pos = livePos.remove(n);
    int last = liveItems.popInt();
    if (last != n) {
      liveItems.set(pos, last);
      livePos.put(last, pos);
    }
    out.item(ItemEvent.delete(settings.namespace(), itemId(n), now));
  }

  /** A user's taste drifts: a blend of the old vector and a fresh one, registered again. */
  private void retaste(Events out, long now) {
    String id = userId(rnd.nextInt(nextUser));
    Standing old = standing.get(id);
    if (old == null || old.hasThreshold()) {
      return;
    }
    float[] fresh = nextUserVector();
    float[] v = new float[fresh.length];
    for (int j = 0; j < v.length; j++) {
      v[j] = 0.6f * old.vector()[j] + 0.4f * fresh[j];
    }
    register(out, id, v, Float.NaN, now);
  }

  private void register(Events out, String id, float[] v, float threshold, long now) {
    boolean isNew = standing.put(id, new Standing(v, K, threshold)) == null;
    if (isNew && Float.isNaN(threshold) && !SHOWN_USERS.contains(id)) {
      churnable.add(id);
    }
    QueryEvent e = QueryEvent.register(settings.namespace(), id, v, K, now);
    out.query(Float.isNaN(threshold) ? e : e.withThreshold(threshold));
  }

  /** A threshold that about {@link #ALERT_SHARE} of the current catalogue passes. */
  private float thresholdFor(float[] v) {
    float[] scores = new float[liveItems.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = dot(v, catalogue.get(liveItems.getInt(i)));
    }
    Arrays.sort(scores);
    return scores[(int) Math.min(scores.length - 1, scores.length * (1 - ALERT_SHARE))];
  }

  private float[] nextUserVector() {
    return jittered(userPool, userCursor++ % userPool.n());
  }

  private float[] jittered(VectorSet pool, int row) {
    float[] v = pool.row(row);
    for (int j = 0; j < v.length; j++) {
      v[j] += (float) (0.01 * rnd.nextGaussian());
    }
    return v;
  }

  static float dot(float[] a, float[] b) {
    float s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  /** The live catalogue: item number (the id is {@link #itemId}) to vector. */
  public Int2ObjectOpenHashMap<float[]> catalogue() {
    return catalogue;
  }

  /** The standing queries that should be live at the end, users and alert profiles. */
  public Map<String, Standing> standing() {
    return standing;
  }

  /** The users who left: their queries should end cancelled. */
  public List<String> cancelled() {
    return cancelled;
  }

  public Settings settings() {
    return settings;
  }
}
