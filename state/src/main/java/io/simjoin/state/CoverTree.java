package io.simjoin.state;

import io.simjoin.state.kernel.DotKernel;
import io.simjoin.state.kernel.DotKernels;
import it.unimi.dsi.fastutil.doubles.DoubleArrayList;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntArrays;
import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectMap;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An incremental, exact index for maximum-inner-product search: top-k, threshold, and the reverse
 * search that finds the standing queries a new item matters to.
 *
 * <h2>Structure</h2>
 *
 * A tree of balls in the spirit of the cover tree (Beygelzimer et al. 2006; Izbicki and Shelton
 * 2015) and of mlpack's FastMKS: every node has a centre, which is one of the points below it, and
 * a radius that bounds the distance from the centre to every point below it, so that for a query q
 * every point p below satisfies {@code <q,p> <= <q,c> + R·‖q‖} (the ball bound) and {@code <q,p> <=
 * ‖q‖·maxNorm} (the norm bound). Two departures from the textbook cover tree make it fit a stream
 * and a disk-backed store:
 *
 * <ul>
 *   <li><b>Bounded nodes.</b> A routing node holds at most {@code fanout} children and a {@link
 *       Bucket} at most {@code bucketCapacity} points. On overflow a node splits in two (M-tree
 *       style: the old centre stays, the farthest entry seeds the other half, entries go to the
 *       nearer seed with at least 30 % on each side), and splits propagate to the root. A textbook
 *       cover tree fixes radii by level ({@code base^level}) and lets fan-out grow instead; in 64
 *       dimensions that fan-out explodes (distances concentrate), and one state record would then
 *       hold a large part of the index. Radii here are measured, not implied by a level.
 *   <li><b>Leaf buckets.</b> Points live in buckets scanned with one kernel pass; a search that can
 *       prune nothing costs about one scan plus one centre per bucket, never a pointer chase.
 * </ul>
 *
 * Invariants ({@link #checkInvariants()} verifies them all):
 *
 * <ul>
 *   <li><b>Covering:</b> every point below a node lies within the node's stored radius of its
 *       centre, its norm is at most the node's max norm and its bar at least the node's min bar
 *       (every stored bound is a true bound, on every ancestor, not just the parent).
 *   <li><b>Nesting:</b> a routing node's centre is the centre of one of its children, and a
 *       bucket's centre is the vector of one of its points; so every centre is a live point that
 *       routes at every level below the one it first appears at. Deletes re-centre where needed.
 *   <li><b>Size:</b> buckets hold 1 to {@code bucketCapacity} points, routing nodes 2 to {@code
 *       fanout} children, so stored nodes stay below 2× the live points under any sequence of
 *       inserts and deletes; deleted points leave no tombstones.
 * </ul>
 *
 * <h2>Search</h2>
 *
 * One best-first traversal serves every query kind; what differs is a {@link SearchRules} object
 * (the mlpack split of traverser and rules). Bounds are widened by a float-rounding margin, so
 * results are exactly those of a brute-force scan with the same kernel; ties order by id.
 *
 * <h2>Usage</h2>
 *
 * <pre>{@code
 * CoverTree tree = CoverTree.builder(3).store(new HeapNodeStore()).build();
 * tree.insert("a", new float[] {1, 0, 0});
 * tree.insert("b", new float[] {0, 2, 0});
 * List<Match> best = tree.topK(new float[] {0, 1, 0}, 1); // [Match[id=b, score=2.0]]
 *
 * // standing queries: each point carries a bar; reverseSearch finds the queries an item reaches
 * CoverTree queries = CoverTree.builder(3).store(new HeapNodeStore()).bars(true).build();
 * queries.insert("q1", new float[] {1, 1, 0}, 1.5f);
 * List<Match> hit = queries.reverseSearch(new float[] {0, 2, 0}); // [Match[id=q1, score=2.0]]
 * }</pre>
 *
 * <p>Not thread-safe: a tree belongs to one thread, like keyed state to its operator.
 */
public final class CoverTree {
  private static final Logger LOG = LoggerFactory.getLogger(CoverTree.class);

  /** Node id of the super-root: a routing node with at most one entry, the root. */
  public static final long SUPER_ROOT = 0L;

  private static final int MIN_BUCKET_ARRAY = 4;

  /** Size at which a tree first learns a {@link Basis}; it learns again at every 16-fold growth. */
  static final long FIRST_LEARN = 4096;

  private static final long LEARN_GROWTH = 16;
  // a few thousand points pin the leading directions; more only lengthen a relearn (d² per point)
  private static final int LEARN_SAMPLE = 4096;

  private final int dim;
  private final int bucketCapacity;
  private final int fanout;
  private final boolean bars;
  private final boolean partialProducts;
  private final NodeStore store;
  private final DotKernel kernel;
  private final TreeCounters counters = new TreeCounters();
  private final float radiusInflation;

  private final EntryQueue queue = new EntryQueue();
  private final TopKRules topKRules;
  private final ThresholdRules thresholdRules;
  private final ReverseRules reverseRules;
  private float[] scratch = new float[64];
  private float[] headScratch = new float[0];

  // The insert path, root first; reused across inserts.
  private long[] pathIds = new long[16];
  private RoutingNode[] pathNodes = new RoutingNode[16];
  private int[] pathSlots = new int[16];
  // Whether the path node changed: only those are written back (on RocksDB each write is a put).
  private boolean[] pathDirty = new boolean[16];
  private int pathDepth;
  private double chosenDistance;

  private CoverTree(Builder b) {
    this.dim = b.dimension;
    this.bucketCapacity = b.bucketCapacity;
    this.fanout = b.fanout;
    this.bars = b.bars;
    this.partialProducts = b.partialProducts;
    this.store = b.store;
    this.kernel = b.kernel;
    // Distances are computed in float; stored radii are widened so they stay true upper bounds.
    this.radiusInflation = (float) (1.0 + 1.2e-7 * (dim + 4));
    this.topKRules = new TopKRules(kernel, dim, counters);
    this.thresholdRules = new ThresholdRules(kernel, dim, counters);
    this.reverseRules = new ReverseRules(kernel, dim, counters);
    TreeMeta meta = store.meta();
    if (meta != null && meta.dimension() != dim) {
      throw new IllegalArgumentException(
          "the store holds a tree of dimension " + meta.dimension() + ", not " + dim);
    }
  }

  /** Starts a builder for a tree over vectors of {@code dimension} components. */
  public static Builder builder(int dimension) {
    return new Builder(dimension);
  }

  /** Configures a {@link CoverTree}; {@link #build()} validates and says what to fix. */
  public static final class Builder {
    private final int dimension;
    private NodeStore store;
    private int bucketCapacity = 256;
    private int fanout = 32;
    private boolean bars;
    private boolean partialProducts = true;
    private DotKernel kernel = DotKernels.best();

    private Builder(int dimension) {
      this.dimension = dimension;
    }

    /** Where the tree keeps its nodes; required. An existing tree in the store is reopened. */
    public Builder store(NodeStore store) {
      this.store = store;
      return this;
    }

    /**
     * Most points per leaf bucket (default 256): larger buckets cost less per point scanned (each
     * bucket visit pays a few cache misses) but prune more coarsely and make bigger records.
     */
    public Builder bucketCapacity(int bucketCapacity) {
      this.bucketCapacity = bucketCapacity;
      return this;
    }

    /** Most children per routing node (default 32). */
    public Builder fanout(int fanout) {
      this.fanout = fanout;
      return this;
    }

    /** Whether points carry bars, for the reverse search over standing queries (default false). */
    public Builder bars(boolean bars) {
      this.bars = bars;
      return this;
    }

    /**
     * Whether to learn a {@link Basis} and bound points by partial products before computing full
     * ones (default true; a basis is kept only where it pays, see {@link Basis}).
     */
    public Builder partialProducts(boolean partialProducts) {
      this.partialProducts = partialProducts;
      return this;
    }

    /** The dot-product kernel (default {@link DotKernels#best()}). */
    public Builder kernel(DotKernel kernel) {
      this.kernel = kernel;
      return this;
    }

    public CoverTree build() {
      if (dimension < 1) {
        throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
      }
      if (store == null) {
        throw new IllegalArgumentException(
            "no store set: call store(new HeapNodeStore()) or pass a state-backed NodeStore");
      }
      if (bucketCapacity < 2) {
        throw new IllegalArgumentException(
            "bucketCapacity must be at least 2, got " + bucketCapacity);
      }
      if (fanout < 3) {
        // A split of fanout + 1 children must leave at least two on each side.
        throw new IllegalArgumentException("fanout must be at least 3, got " + fanout);
      }
      Objects.requireNonNull(kernel, "kernel");
      return new CoverTree(this);
    }
  }

  // ---------------------------------------------------------------- accessors

  public int dimension() {
    return dim;
  }

  /** Number of live points. */
  public long size() {
    TreeMeta meta = store.meta();
    return meta == null ? 0 : meta.size();
  }

  public boolean contains(String id) {
    return store.locate(id) >= 0;
  }

  /** A copy of the vector stored under {@code id}, or {@code null}. */
  public float[] vector(String id) {
    long bid = store.locate(id);
    if (bid < 0) {
      return null;
    }
    Bucket b = bucket(bid);
    int i = indexIn(b, id, bid);
    return Arrays.copyOfRange(b.vectors, i * dim, (i + 1) * dim);
  }

  /** The bar of point {@code id}; negative infinity when absent or in a tree without bars. */
  public float bar(String id) {
    long bid = store.locate(id);
    if (bid < 0 || !bars) {
      return Float.NEGATIVE_INFINITY;
    }
    Bucket b = bucket(bid);
    return b.bars[indexIn(b, id, bid)];
  }

  /** Length of the heads points carry for partial products (0 while no basis pays). */
  public int partialProductLength() {
    TreeMeta meta = store.meta();
    return meta == null || meta.basis() == null ? 0 : meta.basis().head();
  }

  /** Cumulative work counters; {@link TreeCounters#reset()} to measure one operation. */
  public TreeCounters counters() {
    return counters;
  }

  public int bucketCapacity() {
    return bucketCapacity;
  }

  public int fanout() {
    return fanout;
  }

  // ---------------------------------------------------------------- updates

  /** Inserts a new point; fails if {@code id} is present (use {@link #upsert}). */
  public void insert(String id, float[] vector) {
    insert(id, vector, Float.NEGATIVE_INFINITY);
  }

  /**
   * Inserts a new point with a bar (trees built with {@code bars(true)}); the vector is copied.
   *
   * @throws IllegalArgumentException for an empty id, a present id, a wrong dimension, a NaN or
   *     infinite component, or a NaN bar
   */
  public void insert(String id, float[] vector, float bar) {
    checkId(id);
    checkVector(vector, "vector");
    checkBar(bar);
    if (!bars && bar != Float.NEGATIVE_INFINITY) {
      requireBars();
    }
    if (store.locate(id) >= 0) {
      throw new IllegalArgumentException(
          "id '" + id + "' is already in the tree; use upsert to change its vector");
    }
    TreeMeta meta = meta();
    if (meta == null) {
      meta = new TreeMeta(dim, 0, SUPER_ROOT + 1, FIRST_LEARN, null);
      write(SUPER_ROOT, new RoutingNode(dim, 2, SUPER_ROOT));
    }
    float norm = norm(vector);
    Basis basis = meta.basis();
    int head = basis == null ? 0 : basis.head();
    float tail = 0;
    if (basis != null) {
      if (headScratch.length < head) {
        headScratch = new float[head];
      }
      tail = basis.project(vector, 0, headScratch, 0);
    }
    RoutingNode node = routing(SUPER_ROOT);
    if (node.size == 0) {
      long bid = meta.allocateNodeId();
      Bucket b = new Bucket(dim, MIN_BUCKET_ARRAY, bars, head, SUPER_ROOT);
      b.append(id, vector, 0, norm, bar, headScratch, 0, tail);
      node.addEntry(bid, true, vector, 0, 0f, norm, bar);
      write(bid, b);
      write(SUPER_ROOT, node);
      store.place(id, bid);
      meta.addSize(1);
      store.putMeta(meta);
      return;
    }
    pathDepth = 0;
    pushPath(SUPER_ROOT, node);
    while (true) {
      int slot = chooseEntry(node, vector);
      pathSlots[pathDepth - 1] = slot;
      float r = (float) chosenDistance * radiusInflation;
      boolean grew = false;
      if (r > node.radii[slot]) {
        node.radii[slot] = r;
        grew = true;
      }
      if (norm > node.maxNorms[slot]) {
        node.maxNorms[slot] = norm;
        grew = true;
      }
      if (bar < node.minBars[slot]) {
        node.minBars[slot] = bar;
        grew = true;
      }
      pathDirty[pathDepth - 1] = grew;
      long child = node.childIds[slot];
      if (node.childIsBucket[slot]) {
        Bucket b = bucket(child);
        b.insert(id, vector, 0, norm, bar, headScratch, 0, tail);
        store.place(id, child);
        if (b.size > bucketCapacity) {
          splitBucket(child, b, meta);
        } else {
          write(child, b);
        }
        break;
      }
      node = routing(child);
      pushPath(child, node);
    }
    for (int i = pathDepth - 1; i >= 0; i--) {
      if (pathDirty[i]) {
        write(pathIds[i], pathNodes[i]);
      }
    }
    Arrays.fill(pathNodes, 0, pathDepth, null);
    meta.addSize(1);
    if (meta.size() >= meta.nextLearnAt()) {
      relearn(meta);
    }
    store.putMeta(meta);
  }

  /**
   * Learns the basis from a sample of the points, chooses its head by measured pruning (see {@link
   * BasisChoice}), and recomputes every point's head for it (or drops the heads when none pays).
   * Runs at 4,096 points and at every 16-fold growth after, so its full pass over the tree costs
   * O(1) amortised per insert.
   */
  private void relearn(TreeMeta meta) {
    long n = meta.size();
    meta.learned(meta.basis(), n * LEARN_GROWTH);
    if (!partialProducts) {
      return;
    }
    long stride = Math.max(1, n / LEARN_SAMPLE);
    int cap = (int) Math.min(n, LEARN_SAMPLE + 1);
    float[] sample = new float[cap * dim];
    int[] taken = {0};
    long[] seen = {0};
    forEachBucket(
        (b, id) -> {
          for (int i = 0; i < b.size; i++) {
            if (seen[0]++ % stride == 0 && taken[0] < cap) {
              System.arraycopy(b.vectors, i * dim, sample, taken[0]++ * dim, dim);
            }
          }
        });
    BasisChoice choice = BasisChoice.learn(sample, taken[0], dim, n);
    LOG.info("basis relearned at {} points: {}", n, choice);
    Basis basis = choice.basis();
    if (basis == null && meta.basis() == null) {
      return;
    }
    meta.learned(basis, n * LEARN_GROWTH);
    forEachBucket(
        (b, id) -> {
          b.rebase(basis);
          write(id, b);
        });
  }

  /** Visits every bucket once, reading every node once; no recursion. */
  private void forEachBucket(java.util.function.ObjLongConsumer<Bucket> visit) {
    long[] stack = new long[64];
    int top = 0;
    stack[top++] = SUPER_ROOT;
    while (top > 0) {
      RoutingNode r = routing(stack[--top]);
      for (int e = 0; e < r.size; e++) {
        if (r.childIsBucket[e]) {
          visit.accept(bucket(r.childIds[e]), r.childIds[e]);
        } else {
          if (top == stack.length) {
            stack = Arrays.copyOf(stack, 2 * top);
          }
          stack[top++] = r.childIds[e];
        }
      }
    }
  }

  /**
   * Inserts the point, or replaces the vector of a present one.
   *
   * @return whether {@code id} was present before
   */
  public boolean upsert(String id, float[] vector) {
    return upsert(id, vector, bars ? bar(id) : Float.NEGATIVE_INFINITY);
  }

  /** Inserts or replaces a point with a bar; returns whether it was present. */
  public boolean upsert(String id, float[] vector, float bar) {
    checkId(id);
    checkVector(vector, "vector");
    checkBar(bar);
    boolean present = delete(id);
    insert(id, vector, bar);
    return present;
  }

  /**
   * Removes a point.
   *
   * @return whether it was present
   */
  public boolean delete(String id) {
    checkId(id);
    long bid = store.locate(id);
    if (bid < 0) {
      return false;
    }
    TreeMeta meta = meta();
    Bucket b = bucket(bid);
    b.removeAt(indexIn(b, id, bid));
    store.unplace(id);
    meta.addSize(-1);
    long pid = b.parent;
    RoutingNode p = routing(pid);
    int slot = p.slotOf(bid);
    if (b.size == 0) {
      store.remove(bid);
      removeEntry(pid, p, slot);
    } else {
      refreshBucketEntry(p, slot, b);
      write(bid, b);
      fixCentre(pid, p);
    }
    if (meta.size() == 0) {
      // An empty tree leaves nothing behind, so keyed state of a drained key returns to zero.
      store.remove(SUPER_ROOT);
      store.putMeta(null);
    } else {
      store.putMeta(meta);
    }
    return true;
  }

  /**
   * Changes the bar of a point (trees with bars). Lowering a bar lowers the min bars on the path to
   * the root, so the reverse search stays exact; raising one tightens only the bucket's entry (the
   * ancestors' min bars stay lower than needed, which costs speed, never results).
   *
   * @return whether the point was present
   */
  public boolean setBar(String id, float bar) {
    requireBars();
    checkBar(bar);
    long bid = store.locate(id);
    if (bid < 0) {
      return false;
    }
    Bucket b = bucket(bid);
    int i = indexIn(b, id, bid);
    float old = b.bars[i];
    if (old == bar) {
      return true;
    }
    b.bars[i] = bar;
    write(bid, b);
    long cid = bid;
    long pid = b.parent;
    RoutingNode p = routing(pid);
    int slot = p.slotOf(cid);
    if (bar > old) {
      float min = Float.POSITIVE_INFINITY;
      for (int j = 0; j < b.size; j++) {
        min = Math.min(min, b.bars[j]);
      }
      // A raise must reach every ancestor whose minimum it lifts: a stale low minimum high up
      // would keep whole subtrees in every reverse search. Each slot stays a lower bound of its
      // subtree's bars, so the minimum over a node's slots may replace its own slot above.
      while (min > p.minBars[slot]) {
        p.minBars[slot] = min;
        write(pid, p);
        if (pid == SUPER_ROOT) {
          break;
        }
        min = Float.POSITIVE_INFINITY;
        for (int j = 0; j < p.size; j++) {
          min = Math.min(min, p.minBars[j]);
        }
        cid = pid;
        pid = p.parent;
        p = routing(pid);
        slot = p.slotOf(cid);
      }
      return true;
    }
    while (p.minBars[slot] > bar) {
      p.minBars[slot] = bar;
      write(pid, p);
      if (pid == SUPER_ROOT) {
        break;
      }
      cid = pid;
      pid = p.parent;
      p = routing(pid);
      slot = p.slotOf(cid);
    }
    return true;
  }

  // ---------------------------------------------------------------- searches

  /**
   * The exact top-k points by inner product with {@code query}: score descending, ties by id
   * ascending; all points when {@code k} exceeds the size.
   */
  public List<Match> topK(float[] query, int k) {
    checkVector(query, "query");
    if (k <= 0) {
      throw new IllegalArgumentException("k must be positive, got " + k);
    }
    topKRules.start(query, norm(query), k);
    traverse(topKRules);
    return topKRules.topK.result();
  }

  /**
   * Every point whose inner product with {@code query} is at least {@code threshold}, best first.
   */
  public List<Match> atLeast(float[] query, double threshold) {
    checkVector(query, "query");
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("threshold is NaN");
    }
    thresholdRules.start(query, norm(query), threshold);
    traverse(thresholdRules);
    List<Match> out = List.copyOf(thresholdRules.found);
    thresholdRules.found.clear();
    return out.stream().sorted(Match.BEST_FIRST).toList();
  }

  /**
   * Reverse search (trees with bars): every stored point q with {@code <q, item> >= bar(q)}, best
   * score first. For standing top-k queries with their k-th score as bar, these are the queries
   * whose top-k the item may enter (at a tie the caller decides by id).
   */
  public List<Match> reverseSearch(float[] item) {
    return reverse(item, 0, true).stream().sorted(Match.BEST_FIRST).toList();
  }

  /**
   * As {@link #reverseSearch(float[])}, but in no particular order, and also every point scoring up
   * to {@code slack} below its bar: for callers that decide each candidate with their own exact
   * score, for instance when the bars are those of the directions of vectors, divided by their
   * norms (sorting thousands of candidates, as when every query's bar is still -∞, costs more than
   * scoring them).
   *
   * <p>The set is exactly the kernel's, but the score of a point that clears its bar by a margin is
   * the screen's (8-bit codes, see {@link io.simjoin.state.kernel.DotKernel#panelDots}), which
   * differs from {@code kernel().dot} by up to about 3 % of {@code ‖item‖·‖point‖}: candidates are
   * to be decided with the caller's own score.
   */
  public List<Match> reverseSearch(float[] item, double slack) {
    if (!(slack >= 0) || Double.isInfinite(slack)) {
      throw new IllegalArgumentException("slack must be finite and non-negative, got " + slack);
    }
    return reverse(item, slack, false);
  }

  /**
   * Where {@link #reverseSearchAll} reports, once per stored point, the items of the batch that
   * reach its bar. The tree must not be changed during the call.
   */
  @FunctionalInterface
  public interface ReverseHits {
    /**
     * Items {@code items[0, count)} (indexes into the batch, ascending) may score at least point
     * {@code pointId}'s bar minus their slack: item {@code items[c]}'s kernel score is within
     * {@code margins[c]} of {@code scores[c]}, and {@code scores[c] + margins[c]} reaches that.
     */
    void hits(String pointId, int[] items, float[] scores, float[] margins, int count);
  }

  /**
   * The reverse search of a batch of items at once (trees with bars): for every stored point q, the
   * items p of the batch with {@code kernel <q,p> >= bar(q) - slack(p)}, the set {@link
   * #reverseSearch(float[], double)} gives item by item, reported grouped by point, and with them
   * the items whose screened score comes within its margin of that: no kernel call is made, the
   * caller decides with the scores and margins. Each item still walks the routing nodes alone, but
   * every bucket reached is screened for all the items that reached it in one go: its codes are
   * read once per batch, and the caller handles each point once per batch, not once per item.
   *
   * <p>A point that wants only its {@code keep} best items of the batch (a standing top-k query
   * without a threshold: {@code keep = k}) is not told of an item whose score plus its slack stays
   * below the {@code keep}-th largest score minus slack among the point's items: it cannot be among
   * them. While bars are still low every item reaches every point, and this keeps the hits of a
   * point near {@code keep · ln(batch)} instead of the batch size.
   *
   * <pre>{@code
   * standing.reverseSearchAll(items, slacks, queryId -> 10, (queryId, idx, scores, margins, n) -> {
   *   // items idx[0..n) may enter queryId's top-10
   * });
   * }</pre>
   *
   * @param slacks per item, as in {@link #reverseSearch(float[], double)}
   * @param keep per point, how many of the batch's best items it needs at least ({@code
   *     Integer.MAX_VALUE}: every item that reaches its bar)
   */
  public void reverseSearchAll(
      List<float[]> items, double[] slacks, ToIntFunction<String> keep, ReverseHits hits) {
    requireBars();
    if (slacks.length != items.size()) {
      throw new IllegalArgumentException(
          slacks.length + " slacks for " + items.size() + " items: give one per item");
    }
    double[] norms = new double[items.size()];
    // per bucket reached: the items that reach it and their bounds over it
    Long2ObjectLinkedOpenHashMap<Reach> reached = new Long2ObjectLinkedOpenHashMap<>();
    for (int j = 0; j < items.size(); j++) {
      float[] item = items.get(j);
      checkVector(item, "item");
      if (!(slacks[j] >= 0) || Double.isInfinite(slacks[j])) {
        throw new IllegalArgumentException(
            "slack must be finite and non-negative, got " + slacks[j]);
      }
      norms[j] = norm(item);
      int itemIndex = j;
      reverseRules.startCollecting(
          item,
          norms[j],
          slacks[j],
          (bucketId, bound) ->
              reached.computeIfAbsent(bucketId, k -> new Reach()).add(itemIndex, bound));
      traverse(reverseRules);
    }
    ReverseBatch batch = new ReverseBatch();
    ScreenGroup group = new ScreenGroup();
    long[] order = new long[64];
    for (Long2ObjectMap.Entry<Reach> e : reached.long2ObjectEntrySet()) {
      Bucket b = bucket(e.getLongKey());
      batch.clear(b, keep, reverseRules.slackFactor);
      IntArrayList reachedBy = e.getValue().items;
      double[] reach = e.getValue().bounds.elements();
      int m = reachedBy.size();
      if (order.length < m) {
        order = new long[Math.max(m, 2 * order.length)];
      }
      // Best bound first: the items most likely to enter raise the points' cuts early, and most
      // of the rest then fall below every point's floor and are not screened. The order is only
      // a heuristic (the bounds rounded to float); the test uses the exact bound.
      for (int r = 0; r < m; r++) {
        order[r] = ((long) descendingKey((float) reach[r]) << 32) | r;
      }
      Arrays.sort(order, 0, m);
      for (int r = 0; r < m; r++) {
        int at = (int) order[r];
        if (reach[at] < batch.minFloor()) {
          continue;
        }
        int j = reachedBy.getInt(at);
        group.add(j, items.get(j));
        if (group.full()) {
          group.screen(b, batch, items, norms, slacks);
        }
      }
      group.screen(b, batch, items, norms, slacks);
      batch.report(b, hits);
    }
    reverseRules.found.clear();
  }

  /** The items of a batch that reach one bucket, each with its bound over the bucket. */
  private static final class Reach {
    final IntArrayList items = new IntArrayList();
    final DoubleArrayList bounds = new DoubleArrayList();

    void add(int item, double bound) {
      items.add(item);
      bounds.add(bound);
    }
  }

  /**
   * Items of a batch screened against one bucket together: {@link DotKernel#panelDotsMany} widens
   * each code once for all of them.
   */
  private final class ScreenGroup {
    private static final int SIZE = 8;
    private final int[] members = new int[SIZE];
    private final float[][] probes = new float[SIZE][];
    private final float[][] outs = new float[SIZE][0];
    private int size;

    void add(int item, float[] probe) {
      members[size] = item;
      probes[size] = probe;
      size++;
    }

    boolean full() {
      return size == SIZE;
    }

    void screen(
        Bucket b, ReverseBatch batch, List<float[]> items, double[] norms, double[] slacks) {
      if (size == 0) {
        return;
      }
      int points = b.panelCount() * DotKernel.PANEL;
      for (int i = 0; i < size; i++) {
        if (outs[i].length < points) {
          outs[i] = new float[points];
        }
      }
      kernel.panelDotsMany(probes, size, b.codes().panels(), b.panelCount(), dim, outs);
      for (int i = 0; i < size; i++) {
        int j = members[i];
        reverseRules.start(items.get(j), norms[j], slacks[j], false);
        reverseRules.screenBatch(b, batch, j, outs[i]);
      }
      size = 0;
    }
  }

  /** An int that orders as {@code -v} does (NaN last): a sort key for largest first. */
  private static int descendingKey(float v) {
    int bits = Float.floatToIntBits(v);
    // negative floats order backwards as ints: flip all but the sign bit
    int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
    return ~ascending;
  }

  private List<Match> reverse(float[] item, double slack, boolean exactScores) {
    requireBars();
    checkVector(item, "item");
    reverseRules.start(item, norm(item), slack, exactScores);
    traverse(reverseRules);
    List<Match> out = List.copyOf(reverseRules.found);
    reverseRules.found.clear();
    return out;
  }

  private void traverse(SearchRules rules) {
    TreeMeta meta = meta();
    if (meta == null) {
      return;
    }
    rules.useBasis(meta.basis());
    queue.clear();
    if (!rules.prunesMoreBestFirst()) {
      queue.flatten();
    }
    RoutingNode s = routing(SUPER_ROOT);
    counters.nodesVisited++;
    if (s.size == 1 && s.childIsBucket[0] && rules.reads()) {
      // A tree of one bucket: bounding it saves nothing a scan of it would not, so scan it at
      // once, without the centre's product or the frontier (a small index costs one scan).
      counters.nodesVisited++;
      rules.scan(bucket(s.childIds[0]));
      rules.probe = null;
      return;
    }
    expand(s, rules);
    // Once a quarter of the points have been scored the bounds have shown they prune little
    // (isotropic data): the frontier stops paying for its order, which then only costs time.
    long flatAfter = meta.size() / 4;
    while (!queue.isEmpty()) {
      double priority = queue.topPriority();
      long id = queue.topId();
      boolean isBucket = queue.topIsBucket();
      if (rules.prune(priority)) {
        if (queue.ordered()) {
          break; // best first: everything left is bounded lower still
        }
        queue.pop();
        continue;
      }
      queue.pop();
      counters.nodesVisited++;
      if (isBucket) {
        rules.scan(bucket(id));
      } else {
        expand(routing(id), rules);
      }
      if (rules.pointsScored > flatAfter && queue.ordered()) {
        queue.flatten();
      }
    }
    queue.clear();
    rules.probe = null;
  }

  private void expand(RoutingNode r, SearchRules rules) {
    int n = r.size;
    if (scratch.length < n) {
      scratch = new float[Math.max(n, 2 * scratch.length)];
    }
    kernel.dots(rules.probe, 0, r.centres, 0, n, dim, scratch, 0);
    counters.dots += n;
    for (int e = 0; e < n; e++) {
      double bound = rules.bound(scratch[e], r.radii[e], r.maxNorms[e], r.minBars[e]);
      if (rules.prune(bound)) {
        continue;
      }
      if (r.childIsBucket[e] && !rules.reads()) {
        counters.nodesVisited++;
        rules.reached(r.childIds[e], scratch[e], r.radii[e], r.maxNorms[e]);
      } else {
        queue.push(bound, r.childIds[e], r.childIsBucket[e]);
      }
    }
  }

  // ---------------------------------------------------------------- insert internals

  /**
   * The entry a new point descends into: the nearest one whose ball already covers it (the cover
   * tree's nearest-ancestor rule), else the one whose radius grows least.
   */
  private int chooseEntry(RoutingNode node, float[] v) {
    int bestCovered = -1;
    double bestCoveredDist = Double.POSITIVE_INFINITY;
    int bestGrow = -1;
    double bestGrowth = Double.POSITIVE_INFINITY;
    double bestGrowDist = 0;
    for (int e = 0; e < node.size; e++) {
      double d = distance(node.centres, e * dim, v, 0);
      if (d <= node.radii[e]) {
        if (d < bestCoveredDist) {
          bestCoveredDist = d;
          bestCovered = e;
        }
      } else if (bestCovered < 0 && d - node.radii[e] < bestGrowth) {
        bestGrowth = d - node.radii[e];
        bestGrow = e;
        bestGrowDist = d;
      }
    }
    if (bestCovered >= 0) {
      chosenDistance = bestCoveredDist;
      return bestCovered;
    }
    chosenDistance = bestGrowDist;
    return bestGrow;
  }

  private void pushPath(long id, RoutingNode node) {
    if (pathDepth == pathIds.length) {
      int cap = 2 * pathDepth;
      pathIds = Arrays.copyOf(pathIds, cap);
      pathNodes = Arrays.copyOf(pathNodes, cap);
      pathSlots = Arrays.copyOf(pathSlots, cap);
      pathDirty = Arrays.copyOf(pathDirty, cap);
    }
    pathIds[pathDepth] = id;
    pathNodes[pathDepth] = node;
    pathDepth++;
  }

  /** Splits the overfull bucket at the end of the insert path. */
  private void splitBucket(long bucketId, Bucket b, TreeMeta meta) {
    int level = pathDepth - 1;
    RoutingNode parent = pathNodes[level];
    int slot = pathSlots[level];
    int m = b.size;
    float[] c1 = Arrays.copyOfRange(parent.centres, slot * dim, (slot + 1) * dim);
    double[] d1 = new double[m];
    int far = 0;
    for (int i = 0; i < m; i++) {
      d1[i] = distance(b.vectors, i * dim, c1, 0);
      if (d1[i] > d1[far]) {
        far = i;
      }
    }
    double[] margin = new double[m];
    for (int i = 0; i < m; i++) {
      margin[i] = d1[i] - distance(b.vectors, i * dim, b.vectors, far * dim);
    }
    int[] order = partition(margin);
    keepFirst(order, b.vectors, c1);
    int cut = cut(margin, order, 1);
    float[] c2 = Arrays.copyOfRange(b.vectors, order[m - 1] * dim, (order[m - 1] + 1) * dim);

    Bucket a = new Bucket(dim, cut + Math.max(2, cut >> 3), bars, b.head, b.parent);
    Bucket z = new Bucket(dim, (m - cut) + Math.max(2, (m - cut) >> 3), bars, b.head, b.parent);
    float[] hs = b.heads;
    int h = b.head;
    long zid = meta.allocateNodeId();
    float ra = 0, rz = 0;
    float ba = Float.POSITIVE_INFINITY, bz = Float.POSITIVE_INFINITY;
    boolean[] inFirst = new boolean[m];
    for (int j = 0; j < cut; j++) {
      inFirst[order[j]] = true;
    }
    // b is in norm order, so walking it in index order keeps both halves in norm order.
    for (int i = 0; i < m; i++) {
      float bar = b.bar(i);
      if (inFirst[i]) {
        a.append(b.ids[i], b.vectors, i * dim, b.norms[i], bar, hs, i * h, h > 0 ? b.tails[i] : 0);
        ra = Math.max(ra, (float) d1[i] * radiusInflation);
        ba = Math.min(ba, bar);
      } else {
        z.append(b.ids[i], b.vectors, i * dim, b.norms[i], bar, hs, i * h, h > 0 ? b.tails[i] : 0);
        rz = Math.max(rz, (float) distance(b.vectors, i * dim, c2, 0) * radiusInflation);
        bz = Math.min(bz, bar);
        store.place(b.ids[i], zid);
      }
    }
    float na = a.norms[0];
    float nz = z.norms[0];
    parent.radii[slot] = ra;
    parent.maxNorms[slot] = na;
    parent.minBars[slot] = ba;
    parent.addEntry(zid, true, c2, 0, rz, nz, bz);
    pathDirty[level] = true;
    write(bucketId, a);
    write(zid, z);
    handleOverflow(level, meta);
  }

  /** Splits routing nodes up the insert path while they overflow, growing the root if needed. */
  private void handleOverflow(int level, TreeMeta meta) {
    while (true) {
      RoutingNode node = pathNodes[level];
      if (level == 0) {
        if (node.size > 1) {
          growRoot(meta);
        }
        return;
      }
      if (node.size <= fanout) {
        return;
      }
      splitRouting(level, meta);
      level--;
    }
  }

  private void splitRouting(int level, TreeMeta meta) {
    RoutingNode node = pathNodes[level];
    long nodeId = pathIds[level];
    RoutingNode parent = pathNodes[level - 1];
    int slot = pathSlots[level - 1];
    int m = node.size;
    float[] c1 = Arrays.copyOfRange(parent.centres, slot * dim, (slot + 1) * dim);
    double[] d1 = new double[m];
    int far = 0;
    for (int e = 0; e < m; e++) {
      d1[e] = distance(node.centres, e * dim, c1, 0);
      if (d1[e] > d1[far]) {
        far = e;
      }
    }
    double[] margin = new double[m];
    for (int e = 0; e < m; e++) {
      margin[e] = d1[e] - distance(node.centres, e * dim, node.centres, far * dim);
    }
    int[] order = partition(margin);
    keepFirst(order, node.centres, c1);
    int cut = cut(margin, order, 2);
    int seed2 = order[m - 1];
    float[] c2 = Arrays.copyOfRange(node.centres, seed2 * dim, (seed2 + 1) * dim);

    RoutingNode a = new RoutingNode(dim, fanout + 1, node.parent);
    RoutingNode z = new RoutingNode(dim, fanout + 1, node.parent);
    long zid = meta.allocateNodeId();
    float ra = 0, rz = 0, na = 0, nz = 0;
    float ba = Float.POSITIVE_INFINITY, bz = Float.POSITIVE_INFINITY;
    for (int j = 0; j < m; j++) {
      int e = order[j];
      if (j < cut) {
        a.copyEntry(a.size++, node, e);
        ra = Math.max(ra, (float) (d1[e] + node.radii[e]) * radiusInflation);
        na = Math.max(na, node.maxNorms[e]);
        ba = Math.min(ba, node.minBars[e]);
      } else {
        z.copyEntry(z.size++, node, e);
        double d2 = distance(node.centres, e * dim, c2, 0);
        rz = Math.max(rz, (float) (d2 + node.radii[e]) * radiusInflation);
        nz = Math.max(nz, node.maxNorms[e]);
        bz = Math.min(bz, node.minBars[e]);
        setParent(node.childIds[e], node.childIsBucket[e], zid);
      }
    }
    // The old radius around c1 still covers every point of the first half; keep the tighter bound,
    // and the same for the second half, around c2.
    float oldR = parent.radii[slot];
    float viaOld = (float) (distance(c1, 0, c2, 0) + oldR) * radiusInflation;
    parent.radii[slot] = Math.min(ra, oldR);
    parent.maxNorms[slot] = na;
    parent.minBars[slot] = ba;
    parent.addEntry(zid, false, c2, 0, Math.min(rz, viaOld), nz, bz);
    pathDirty[level - 1] = true;
    pathNodes[level] = a;
    pathDirty[level] = false; // written here; a later re-parenting marks it again
    write(nodeId, a);
    write(zid, z);
  }

  /** The super-root got a second entry: push both under a new root. */
  private void growRoot(TreeMeta meta) {
    RoutingNode s = pathNodes[0];
    long rid = meta.allocateNodeId();
    RoutingNode root = new RoutingNode(dim, fanout + 1, SUPER_ROOT);
    float[] c = Arrays.copyOfRange(s.centres, 0, dim);
    float r = s.radii[0];
    float maxNorm = 0;
    float minBar = Float.POSITIVE_INFINITY;
    for (int e = 0; e < s.size; e++) {
      root.copyEntry(root.size++, s, e);
      r = Math.max(r, (float) (distance(s.centres, e * dim, c, 0) + s.radii[e]) * radiusInflation);
      maxNorm = Math.max(maxNorm, s.maxNorms[e]);
      minBar = Math.min(minBar, s.minBars[e]);
    }
    s.size = 0;
    s.addEntry(rid, false, c, 0, r, maxNorm, minBar);
    pathDirty[0] = true;
    for (int e = 0; e < root.size; e++) {
      setParent(root.childIds[e], root.childIsBucket[e], rid);
    }
    write(rid, root);
  }

  /** Re-parents a child, updating the insert path's copy when the child is on it. */
  private void setParent(long childId, boolean isBucket, long parentId) {
    for (int i = 0; i < pathDepth; i++) {
      if (pathIds[i] == childId && pathNodes[i] != null) {
        pathNodes[i].parent = parentId;
        pathDirty[i] = true;
        return;
      }
    }
    if (isBucket) {
      Bucket b = bucket(childId);
      b.parent = parentId;
      write(childId, b);
    } else {
      RoutingNode r = routing(childId);
      r.parent = parentId;
      write(childId, r);
    }
  }

  /** Indices sorted by margin ascending: the first ones go with the first seed. */
  private static int[] partition(double[] margin) {
    int[] order = new int[margin.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    IntArrays.quickSort(order, (x, y) -> Double.compare(margin[x], margin[y]));
    return order;
  }

  /**
   * Moves an item equal to the old centre to the front, so it stays in the first half and the
   * centre keeps nesting. Margins alone do not guarantee it: collinear items tie with it.
   */
  private void keepFirst(int[] order, float[] items, float[] centre) {
    for (int j = 0; j < order.length; j++) {
      int i = order[j];
      if (Arrays.equals(items, i * dim, (i + 1) * dim, centre, 0, dim)) {
        order[j] = order[0];
        order[0] = i;
        return;
      }
    }
    throw new IllegalStateException(
        "nesting broken: no entry equals the centre of a node being split");
  }

  /**
   * Size of the first half: entries nearer the first seed, kept between 30 % and 70 % and at least
   * {@code min} on each side.
   */
  private static int cut(double[] margin, int[] order, int min) {
    int m = order.length;
    int natural = 0;
    while (natural < m && margin[order[natural]] <= 0) {
      natural++;
    }
    int lo = Math.max(min, (int) Math.ceil(0.3 * m));
    int hi = Math.min(m - min, (int) Math.floor(0.7 * m));
    return Math.max(lo, Math.min(hi, natural));
  }

  // ---------------------------------------------------------------- delete internals

  /**
   * Recomputes a bucket's entry exactly after a delete: if no point equals the centre any more, the
   * point nearest the old centre becomes the centre (nesting); radius, max norm and min bar become
   * exact again, so deletes tighten bounds instead of leaving them stale.
   */
  private void refreshBucketEntry(RoutingNode p, int slot, Bucket b) {
    int off = slot * dim;
    if (!b.holdsVector(p.centres, off)) {
      int best = 0;
      double bestD = Double.POSITIVE_INFINITY;
      for (int i = 0; i < b.size; i++) {
        double d = distance(b.vectors, i * dim, p.centres, off);
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
      System.arraycopy(b.vectors, best * dim, p.centres, off, dim);
    }
    float r = 0;
    float minBar = Float.POSITIVE_INFINITY;
    for (int i = 0; i < b.size; i++) {
      r = Math.max(r, (float) distance(b.vectors, i * dim, p.centres, off) * radiusInflation);
      minBar = Math.min(minBar, b.bar(i));
    }
    p.radii[slot] = r;
    p.maxNorms[slot] = b.norms[0];
    p.minBars[slot] = minBar;
  }

  /** Removes an entry whose child is gone; collapses a routing node left with one child. */
  private void removeEntry(long xid, RoutingNode x, int slot) {
    x.removeEntry(slot);
    if (xid == SUPER_ROOT) {
      write(xid, x);
      return;
    }
    if (x.size == 1) {
      long gid = x.parent;
      RoutingNode g = routing(gid);
      int gs = g.slotOf(xid);
      g.copyEntry(gs, x, 0);
      long child = x.childIds[0];
      if (x.childIsBucket[0]) {
        Bucket b = bucket(child);
        b.parent = gid;
        write(child, b);
      } else {
        RoutingNode r = routing(child);
        r.parent = gid;
        write(child, r);
      }
      store.remove(xid);
      fixCentre(gid, g);
    } else {
      fixCentre(xid, x);
    }
  }

  /**
   * Writes {@code x} and restores nesting upwards: if x's centre (kept in its parent's entry) is no
   * longer the centre of one of x's children, x is re-centred on the nearest child centre, with a
   * radius that still covers everything below, and the parent is checked in turn.
   */
  private void fixCentre(long xid, RoutingNode x) {
    while (true) {
      write(xid, x);
      if (xid == SUPER_ROOT) {
        return;
      }
      long gid = x.parent;
      RoutingNode g = routing(gid);
      int gs = g.slotOf(xid);
      int off = gs * dim;
      int best = -1;
      double bestD = Double.POSITIVE_INFINITY;
      for (int e = 0; e < x.size; e++) {
        if (Arrays.equals(x.centres, e * dim, (e + 1) * dim, g.centres, off, off + dim)) {
          return;
        }
        double d = distance(x.centres, e * dim, g.centres, off);
        if (d < bestD) {
          bestD = d;
          best = e;
        }
      }
      float viaOld = (float) (bestD + g.radii[gs]) * radiusInflation;
      System.arraycopy(x.centres, best * dim, g.centres, off, dim);
      float r = 0;
      for (int e = 0; e < x.size; e++) {
        r =
            Math.max(
                r,
                (float) (distance(x.centres, e * dim, g.centres, off) + x.radii[e])
                    * radiusInflation);
      }
      g.radii[gs] = Math.min(r, viaOld);
      xid = gid;
      x = g;
    }
  }

  // ---------------------------------------------------------------- invariants

  /**
   * Verifies every invariant listed in the class comment by walking the whole tree; throws {@link
   * IllegalStateException} naming the first violation. Costs a full pass over the points times the
   * depth: for tests and diagnostics.
   */
  public void checkInvariants() {
    TreeMeta meta = store.meta();
    if (meta == null) {
      return;
    }
    TreeChecker.check(this, meta);
  }

  // Package-private hooks for the checker.
  NodeStore store() {
    return store;
  }

  double tolerance() {
    return 1e-5;
  }

  boolean hasBars() {
    return bars;
  }

  /**
   * The kernel this tree scores with: a caller that computes scores of its own (see {@code
   * ShardJoinCore}) gets the very floats this tree's searches report.
   */
  public DotKernel kernel() {
    return kernel;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The store's metadata, checked against this tree's dimension on every operation: a tree object
   * may be reused across keys of a keyed store, and another key may hold a tree of another
   * dimension.
   */
  private TreeMeta meta() {
    TreeMeta meta = store.meta();
    if (meta != null && meta.dimension() != dim) {
      throw new IllegalStateException(
          "the store holds a tree of dimension " + meta.dimension() + ", not " + dim);
    }
    return meta;
  }

  private double distance(float[] a, int aOff, float[] b, int bOff) {
    counters.dots++;
    return Math.sqrt(kernel.squaredDistance(a, aOff, b, bOff, dim));
  }

  float norm(float[] v) {
    return (float) Math.sqrt(kernel.dot(v, 0, v, 0, dim));
  }

  private RoutingNode routing(long id) {
    counters.storeReads++;
    Node n = store.get(id);
    if (n instanceof RoutingNode r) {
      return r;
    }
    throw new IllegalStateException("node " + id + " should be a routing node but is " + n);
  }

  private Bucket bucket(long id) {
    counters.storeReads++;
    Node n = store.get(id);
    if (n instanceof Bucket b) {
      return b;
    }
    throw new IllegalStateException("node " + id + " should be a bucket but is " + n);
  }

  private void write(long id, Node node) {
    counters.storeWrites++;
    store.put(id, node);
  }

  private static int indexIn(Bucket b, String id, long bid) {
    int i = b.indexOf(id);
    if (i < 0) {
      throw new IllegalStateException(
          "the store places '" + id + "' in bucket " + bid + ", which does not hold it");
    }
    return i;
  }

  private void requireBars() {
    if (!bars) {
      throw new IllegalStateException(
          "this tree has no bars: build it with bars(true) for reverse search");
    }
  }

  private static void checkId(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("id must be a non-empty string");
    }
  }

  private void checkVector(float[] v, String what) {
    if (v == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    if (v.length != dim) {
      throw new IllegalArgumentException(
          what + " has dimension " + v.length + " but the tree's dimension is " + dim);
    }
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalArgumentException(
            what + " component " + i + " is " + v[i] + "; only finite values are allowed");
      }
    }
  }

  private static void checkBar(float bar) {
    if (Float.isNaN(bar)) {
      throw new IllegalArgumentException("bar is NaN");
    }
  }
}
