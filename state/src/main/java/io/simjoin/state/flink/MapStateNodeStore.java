package io.simjoin.state.flink;

import io.simjoin.state.Node;
import io.simjoin.state.NodeStore;
import io.simjoin.state.TreeMeta;
import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectMap;
import it.unimi.dsi.fastutil.objects.Object2ObjectLinkedOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2ObjectMap;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * A {@link NodeStore} in Flink keyed state: one cover tree per Flink key, one node per {@code
 * MapState} entry (so a search deserializes only the nodes it visits), point locations in a second
 * {@code MapState}, and the {@link TreeMeta} in a {@code ValueState}. With the embedded RocksDB
 * state backend the tree can be far larger than the heap and is checkpointed incrementally.
 *
 * <h2>Per-record access</h2>
 *
 * In front of the states sits a bounded cache, opened per record as an {@link Access} and flushed
 * when it closes (the pattern of Flink CEP's {@code SharedBufferAccessor}): reads hit the cache
 * first; puts and removes go to the cache and reach state on close, so a node the tree touches
 * several times in one operation is read and written once. A {@link #get} of a cached node returns
 * the cached object, so the tree's in-place changes are seen. When more than the capacity of nodes
 * is cached, the least recently used one is written back (if changed) and dropped. Everything is
 * dropped on close: the next record may belong to another key, and a restore builds a fresh store.
 * Every store method needs an open access and fails without one, which keeps each point where state
 * is written explicit.
 *
 * <p>The operator must be the only writer of these states, as a keyed operator is of its own state.
 *
 * <h2>State</h2>
 *
 * Three states per tree, named {@value #NODES_STATE}, {@value #LOCATIONS_STATE} and {@value
 * #META_STATE} followed by {@code -} and the tree name, so one operator can hold several trees
 * (items and standing queries). Their serializers are passed straight to the descriptors ({@link
 * NodeSerializer}, {@link TreeMetaSerializer}, Flink's {@code LongSerializer} and {@code
 * StringSerializer}): no Kryo, no type extraction. When a tree empties it removes all its entries,
 * so a drained key leaves nothing in state.
 *
 * <p>On the heap state backend one key's {@code MapState} is one Java map, and the first access to
 * it after a checkpoint has started copies it whole (Flink's copy-on-write, through {@link
 * NodeSerializer#copy(Node)}): fine for tests and small trees, but large trees belong on RocksDB.
 *
 * <pre>{@code
 * public class ItemIndex extends KeyedProcessFunction<String, Item, Result> {
 *   private transient MapStateNodeStore store;
 *   private transient CoverTree tree;
 *
 *   public void open(OpenContext ctx) {
 *     store = MapStateNodeStore.create(getRuntimeContext(), "items");
 *   }
 *
 *   public void processElement(Item item, Context ctx, Collector<Result> out) {
 *     try (var access = store.open()) {
 *       if (tree == null) { // the builder reads the store's meta: build inside an access
 *         tree = CoverTree.builder(64).store(store).build();
 *       }
 *       tree.upsert(item.id(), item.vector());
 *       out.collect(new Result(item.id(), tree.topK(item.vector(), 10)));
 *     } // changed nodes, locations and meta are written to state here
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe, like the keyed state it wraps.
 */
public final class MapStateNodeStore implements NodeStore {
  /** Prefix of the name of the nodes state; renamed if the node layout ever changes meaning. */
  public static final String NODES_STATE = "simjoin-tree-nodes";

  /** Prefix of the name of the point-location state. */
  public static final String LOCATIONS_STATE = "simjoin-tree-locations";

  /** Prefix of the name of the meta state. */
  public static final String META_STATE = "simjoin-tree-meta";

  /**
   * Default number of nodes cached per record: a search or an insert touches a few dozen; the cache
   * only has to hold the ones a single operation revisits.
   */
  public static final int DEFAULT_CACHE_CAPACITY = 256;

  /** Locations cached per cached node: entries are small, and a bucket split moves many. */
  private static final int LOCATIONS_PER_NODE = 16;

  private static final long UNKNOWN = Long.MIN_VALUE;

  private static final Pattern TREE_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  private final MapState<Long, Node> nodes;
  private final MapState<String, Long> locations;
  private final ValueState<TreeMeta> metaState;
  private final int nodeCapacity;
  private final int locationCapacity;

  private final Long2ObjectLinkedOpenHashMap<CachedNode> nodeCache =
      new Long2ObjectLinkedOpenHashMap<>();
  private final Object2ObjectLinkedOpenHashMap<String, CachedLocation> locationCache =
      new Object2ObjectLinkedOpenHashMap<>();
  private boolean metaLoaded;
  private boolean metaDirty;
  private TreeMeta meta;
  private Access current;

  // Decoded nodes kept across records, keyed by (Flink key, node id): on RocksDB every state read
  // is a JNI call and a full decode of the node, and the upper tree is read by every record. The
  // operator is the only writer of its keyed state, so a kept node stays equal to the state as
  // long as every write goes through here; a restore builds a fresh store. Used only by accesses
  // opened with their key, and cleared by forgetKept() at every checkpoint: with the heap backend a
  // node object may be shared with a running snapshot, and must not be mutated after it.
  private final int keptCapacity;
  private final Object2ObjectLinkedOpenHashMap<KeptKey, Node> kept =
      new Object2ObjectLinkedOpenHashMap<>();
  private Object currentKey;
  private long keptHits;

  private record KeptKey(Object key, long id) {}

  private long nodeGets;
  private long nodePuts;
  private long nodeRemoves;
  private long locationGets;
  private long locationPuts;
  private long locationRemoves;
  private long metaReads;
  private long metaWrites;
  private long cacheHits;
  // Serialized bytes of the user keys and values this store read from and wrote to state (Flink's
  // own key-group and key prefix not counted): what a layout change must bring down.
  private long bytesRead;
  private long bytesWritten;

  /** A cached node; {@code node == null} records a removal (or a node known to be absent). */
  private static final class CachedNode {
    Node node;
    boolean dirty;
    // False once the state is known to hold no entry for the id: removing it then costs nothing.
    boolean stateMayHold;

    CachedNode(Node node, boolean dirty, boolean stateMayHold) {
      this.node = node;
      this.dirty = dirty;
      this.stateMayHold = stateMayHold;
    }
  }

  /** A cached location; {@code bucket < 0} records an absent point. */
  private static final class CachedLocation {
    long bucket;
    // What the state holds for the point (-1: nothing), or UNKNOWN until read or written.
    long stateValue;

    CachedLocation(long bucket, long stateValue) {
      this.bucket = bucket;
      this.stateValue = stateValue;
    }

    boolean dirty() {
      return bucket != stateValue;
    }
  }

  /**
   * A store over three states obtained elsewhere (for instance wrapped to observe them), caching up
   * to {@code cacheCapacity} nodes per record.
   */
  public MapStateNodeStore(
      MapState<Long, Node> nodes,
      MapState<String, Long> locations,
      ValueState<TreeMeta> meta,
      int cacheCapacity) {
    this(nodes, locations, meta, cacheCapacity, 0);
  }

  /**
   * A store over three states that also keeps up to {@code keptCapacity} decoded nodes across
   * records, for accesses opened with {@link #open(Object)}; 0 keeps none.
   */
  public MapStateNodeStore(
      MapState<Long, Node> nodes,
      MapState<String, Long> locations,
      ValueState<TreeMeta> meta,
      int cacheCapacity,
      int keptCapacity) {
    if (cacheCapacity < 1) {
      throw new IllegalArgumentException("cacheCapacity must be at least 1, got " + cacheCapacity);
    }
    if (keptCapacity < 0) {
      throw new IllegalArgumentException("keptCapacity must be >= 0, got " + keptCapacity);
    }
    this.keptCapacity = keptCapacity;
    this.nodes = Objects.requireNonNull(nodes, "nodes");
    this.locations = Objects.requireNonNull(locations, "locations");
    this.metaState = Objects.requireNonNull(meta, "meta");
    this.nodeCapacity = cacheCapacity;
    this.locationCapacity = Math.multiplyExact(cacheCapacity, LOCATIONS_PER_NODE);
  }

  /** The store of tree {@code treeName} in a keyed function's state, default cache size. */
  public static MapStateNodeStore create(RuntimeContext context, String treeName) {
    return create(context, treeName, DEFAULT_CACHE_CAPACITY);
  }

  /**
   * The store of tree {@code treeName} in a keyed function's state, keeping up to {@code
   * keptCapacity} decoded nodes across records (see {@link #open(Object)} and {@link
   * #forgetKept()}).
   */
  public static MapStateNodeStore create(
      RuntimeContext context, String treeName, int cacheCapacity, int keptCapacity) {
    return new MapStateNodeStore(
        context.getMapState(nodesDescriptor(treeName)),
        context.getMapState(locationsDescriptor(treeName)),
        context.getState(metaDescriptor(treeName)),
        cacheCapacity,
        keptCapacity);
  }

  /** The store of tree {@code treeName} in a keyed function's state. */
  public static MapStateNodeStore create(
      RuntimeContext context, String treeName, int cacheCapacity) {
    return new MapStateNodeStore(
        context.getMapState(nodesDescriptor(treeName)),
        context.getMapState(locationsDescriptor(treeName)),
        context.getState(metaDescriptor(treeName)),
        cacheCapacity);
  }

  /** The store of tree {@code treeName} in an operator's keyed state store. */
  public static MapStateNodeStore create(
      KeyedStateStore states, String treeName, int cacheCapacity) {
    return new MapStateNodeStore(
        states.getMapState(nodesDescriptor(treeName)),
        states.getMapState(locationsDescriptor(treeName)),
        states.getState(metaDescriptor(treeName)),
        cacheCapacity);
  }

  /** Descriptor of the nodes state of tree {@code treeName}: node id to node. */
  public static MapStateDescriptor<Long, Node> nodesDescriptor(String treeName) {
    return new MapStateDescriptor<>(
        stateName(NODES_STATE, treeName), LongSerializer.INSTANCE, NodeSerializer.INSTANCE);
  }

  /** Descriptor of the locations state of tree {@code treeName}: point id to bucket id. */
  public static MapStateDescriptor<String, Long> locationsDescriptor(String treeName) {
    return new MapStateDescriptor<>(
        stateName(LOCATIONS_STATE, treeName), StringSerializer.INSTANCE, LongSerializer.INSTANCE);
  }

  /** Descriptor of the meta state of tree {@code treeName}. */
  public static ValueStateDescriptor<TreeMeta> metaDescriptor(String treeName) {
    return new ValueStateDescriptor<>(stateName(META_STATE, treeName), TreeMetaSerializer.INSTANCE);
  }

  private static String stateName(String prefix, String treeName) {
    if (treeName == null || !TREE_NAME.matcher(treeName).matches()) {
      throw new IllegalArgumentException(
          "tree name must be non-empty letters, digits, '_', '.' or '-', got '" + treeName + "'");
    }
    return prefix + "-" + treeName;
  }

  // ---------------------------------------------------------------- access

  /**
   * Opens the access of one record: the store serves the current Flink key until the access is
   * closed, which writes every change to state and empties the cache. One access at a time.
   */
  public Access open() {
    if (current != null) {
      throw new IllegalStateException(
          "an access is already open: close it (try-with-resources) before the next record");
    }
    current = new Access();
    currentKey = null;
    return current;
  }

  /**
   * Opens the access of one record of Flink key {@code key}: like {@link #open()}, and nodes read
   * or written are also kept, decoded, for later records of the same key (up to the kept capacity).
   * The operator must call {@link #forgetKept()} when it snapshots its state.
   */
  public Access open(Object key) {
    Access a = open();
    currentKey = Objects.requireNonNull(key, "key");
    return a;
  }

  /**
   * Drops every node kept across records. Call it from the operator's {@code snapshotState}: with
   * the heap backend, objects handed out before a checkpoint may belong to its snapshot.
   */
  public void forgetKept() {
    kept.clear();
  }

  /** Node reads served by the nodes kept across records instead of state. */
  public long keptHits() {
    return keptHits;
  }

  /** Number of nodes kept across records now. */
  public int keptSize() {
    return kept.size();
  }

  private boolean keeps() {
    return keptCapacity > 0 && currentKey != null;
  }

  private void keep(long id, Node node) {
    KeptKey k = new KeptKey(currentKey, id);
    if (node == null) {
      kept.remove(k);
      return;
    }
    kept.putAndMoveToLast(k, node);
    while (kept.size() > keptCapacity) {
      kept.removeFirst();
    }
  }

  /** Whether an access is open. */
  public boolean isOpen() {
    return current != null;
  }

  /**
   * Serialized bytes of the keys and values this store read from state so far: node ids (8 bytes)
   * and nodes ({@link NodeSerializer#serializedSize}), point ids and bucket ids, the meta. Only
   * reads that found a value count; cache and kept-node hits cost nothing.
   */
  public long stateBytesRead() {
    return bytesRead;
  }

  /**
   * Serialized bytes of the keys and values this store wrote to state so far, counted like {@link
   * #stateBytesRead()}; a removal counts its key.
   */
  public long stateBytesWritten() {
    return bytesWritten;
  }

  /** What this store asked of its states so far (see {@link StateAccesses}). */
  public StateAccesses accesses() {
    return new StateAccesses(
        nodeGets,
        nodePuts,
        nodeRemoves,
        locationGets,
        locationPuts,
        locationRemoves,
        metaReads,
        metaWrites,
        cacheHits);
  }

  /**
   * The access of one record, flushed on {@link #close()}. If the record fails half-way its changes
   * are flushed all the same: a failing operator is restored from a checkpoint anyway.
   */
  public final class Access implements AutoCloseable {
    private boolean closed;

    private Access() {}

    /** Writes every change of the record to state and forgets everything cached. Idempotent. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        flush();
      } finally {
        nodeCache.clear();
        locationCache.clear();
        metaLoaded = false;
        metaDirty = false;
        meta = null;
        current = null;
      }
    }
  }

  private void requireOpen() {
    if (current == null) {
      throw new IllegalStateException(
          "no open access: wrap the record's tree operations in"
              + " try (var access = store.open()) { ... }");
    }
  }

  // ---------------------------------------------------------------- nodes

  @Override
  public Node get(long id) {
    requireOpen();
    CachedNode c = nodeCache.getAndMoveToLast(id);
    if (c != null) {
      cacheHits++;
      return c.node;
    }
    if (keeps()) {
      Node k = kept.getAndMoveToLast(new KeptKey(currentKey, id));
      if (k != null) {
        keptHits++;
        cacheNode(id, new CachedNode(k, false, true));
        return k;
      }
    }
    Node n;
    try {
      n = nodes.get(id);
    } catch (Exception e) {
      throw failure("read node " + id, e);
    }
    nodeGets++;
    if (n != null) {
      bytesRead += Long.BYTES + NodeSerializer.serializedSize(n);
    }
    cacheNode(id, new CachedNode(n, false, n != null));
    if (n != null && keeps()) {
      keep(id, n);
    }
    return n;
  }

  @Override
  public void put(long id, Node node) {
    requireOpen();
    Objects.requireNonNull(node, "node");
    CachedNode c = nodeCache.getAndMoveToLast(id);
    if (c == null) {
      cacheNode(id, new CachedNode(node, true, true));
    } else {
      c.node = node;
      c.dirty = true;
    }
  }

  @Override
  public void remove(long id) {
    requireOpen();
    CachedNode c = nodeCache.getAndMoveToLast(id);
    if (c == null) {
      cacheNode(id, new CachedNode(null, true, true));
    } else {
      c.node = null;
      c.dirty = c.stateMayHold;
    }
  }

  private void cacheNode(long id, CachedNode c) {
    nodeCache.putAndMoveToLast(id, c);
    while (nodeCache.size() > nodeCapacity) {
      long eldest = nodeCache.firstLongKey();
      CachedNode e = nodeCache.removeFirst();
      if (e.dirty) {
        writeNode(eldest, e);
      }
    }
  }

  private void writeNode(long id, CachedNode c) {
    try {
      if (c.node != null) {
        nodes.put(id, c.node);
        nodePuts++;
        bytesWritten += Long.BYTES + NodeSerializer.serializedSize(c.node);
        c.stateMayHold = true;
      } else {
        nodes.remove(id);
        nodeRemoves++;
        bytesWritten += Long.BYTES;
        c.stateMayHold = false;
      }
    } catch (Exception e) {
      throw failure("write node " + id, e);
    }
    c.dirty = false;
    if (keeps()) {
      keep(id, c.node);
    }
  }

  // ---------------------------------------------------------------- locations

  @Override
  public long locate(String pointId) {
    requireOpen();
    CachedLocation c = locationCache.getAndMoveToLast(pointId);
    if (c != null) {
      cacheHits++;
      return c.bucket;
    }
    Long b;
    try {
      b = locations.get(pointId);
    } catch (Exception e) {
      throw failure("read the location of '" + pointId + "'", e);
    }
    locationGets++;
    if (b != null) {
      bytesRead += NodeSerializer.stringSize(pointId) + Long.BYTES;
    }
    long bucket = b == null ? -1L : b;
    cacheLocation(pointId, new CachedLocation(bucket, bucket));
    return bucket;
  }

  @Override
  public void place(String pointId, long bucketId) {
    requireOpen();
    if (bucketId < 0) {
      throw new IllegalArgumentException("bucket ids are non-negative, got " + bucketId);
    }
    setLocation(pointId, bucketId);
  }

  @Override
  public void unplace(String pointId) {
    requireOpen();
    setLocation(pointId, -1L);
  }

  private void setLocation(String pointId, long bucket) {
    CachedLocation c = locationCache.getAndMoveToLast(pointId);
    if (c == null) {
      cacheLocation(pointId, new CachedLocation(bucket, UNKNOWN));
    } else {
      // A point placed back where the state already has it (an upsert within its bucket) costs no
      // write.
      c.bucket = bucket;
    }
  }

  private void cacheLocation(String pointId, CachedLocation c) {
    locationCache.putAndMoveToLast(pointId, c);
    while (locationCache.size() > locationCapacity) {
      String eldest = locationCache.firstKey();
      CachedLocation e = locationCache.removeFirst();
      if (e.dirty()) {
        writeLocation(eldest, e);
      }
    }
  }

  private void writeLocation(String pointId, CachedLocation c) {
    try {
      if (c.bucket >= 0) {
        locations.put(pointId, c.bucket);
        locationPuts++;
        bytesWritten += NodeSerializer.stringSize(pointId) + Long.BYTES;
      } else {
        locations.remove(pointId);
        locationRemoves++;
        bytesWritten += NodeSerializer.stringSize(pointId);
      }
    } catch (Exception e) {
      throw failure("write the location of '" + pointId + "'", e);
    }
    c.stateValue = c.bucket;
  }

  // ---------------------------------------------------------------- meta

  @Override
  public TreeMeta meta() {
    requireOpen();
    if (metaLoaded) {
      cacheHits++;
      return meta;
    }
    try {
      meta = metaState.value();
    } catch (Exception e) {
      throw failure("read the tree meta", e);
    }
    metaReads++;
    if (meta != null) {
      bytesRead += TreeMetaSerializer.serializedSize(meta);
    }
    metaLoaded = true;
    return meta;
  }

  @Override
  public void putMeta(TreeMeta meta) {
    requireOpen();
    this.meta = meta;
    metaLoaded = true;
    metaDirty = true;
  }

  // ---------------------------------------------------------------- counts, flush

  /**
   * Number of nodes of the current key's tree. Writes pending changes first, then iterates the
   * nodes state: a prefix scan on RocksDB, so for tests and reports only, never a hot path. Not
   * counted in {@link #accesses()}.
   */
  @Override
  public long nodeCount() {
    requireOpen();
    flush();
    long n = 0;
    try {
      for (Long ignored : nodes.keys()) {
        n++;
      }
    } catch (Exception e) {
      throw failure("count nodes", e);
    }
    return n;
  }

  /**
   * Number of point locations of the current key's tree; equals the tree's size when state is
   * consistent. Iterates like {@link #nodeCount()}: for tests only.
   */
  @Override
  public long locationCount() {
    requireOpen();
    flush();
    long n = 0;
    try {
      for (String ignored : locations.keys()) {
        n++;
      }
    } catch (Exception e) {
      throw failure("count locations", e);
    }
    return n;
  }

  /** Writes every pending change to state; the cache keeps its (now clean) entries. */
  private void flush() {
    for (Long2ObjectMap.Entry<CachedNode> e : nodeCache.long2ObjectEntrySet()) {
      if (e.getValue().dirty) {
        writeNode(e.getLongKey(), e.getValue());
      }
    }
    for (Object2ObjectMap.Entry<String, CachedLocation> e : locationCache.object2ObjectEntrySet()) {
      if (e.getValue().dirty()) {
        writeLocation(e.getKey(), e.getValue());
      }
    }
    if (metaDirty) {
      try {
        if (meta == null) {
          metaState.clear();
        } else {
          metaState.update(meta);
          bytesWritten += TreeMetaSerializer.serializedSize(meta);
        }
      } catch (Exception e) {
        throw failure("write the tree meta", e);
      }
      metaWrites++;
      metaDirty = false;
    }
  }

  private static FlinkRuntimeException failure(String what, Exception e) {
    return new FlinkRuntimeException("cover tree state: could not " + what, e);
  }
}
