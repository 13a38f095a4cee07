package io.simjoin.state.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.state.Bucket;
import io.simjoin.state.Node;
import io.simjoin.state.RoutingNode;
import io.simjoin.state.TreeMeta;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The access and cache rules of {@link MapStateNodeStore}, on in-memory states that copy every
 * value in and out as RocksDB does. The tree on real backends is {@link
 * MapStateNodeStoreHarnessTest}'s subject.
 */
class MapStateNodeStoreTest {

  /** A map state that hands out copies, like a serializing backend, and counts its calls. */
  static final class CopyingMapState<K, V> implements MapState<K, V> {
    final Map<K, V> map = new HashMap<>();
    private final TypeSerializer<V> values;
    int gets;
    int puts;
    int removes;

    CopyingMapState(TypeSerializer<V> values) {
      this.values = values;
    }

    @Override
    public V get(K key) {
      gets++;
      V v = map.get(key);
      return v == null ? null : values.copy(v);
    }

    @Override
    public void put(K key, V value) {
      puts++;
      map.put(key, values.copy(value));
    }

    @Override
    public void putAll(Map<K, V> m) {
      m.forEach(this::put);
    }

    @Override
    public void remove(K key) {
      removes++;
      map.remove(key);
    }

    @Override
    public boolean contains(K key) {
      return map.containsKey(key);
    }

    @Override
    public Iterable<Map.Entry<K, V>> entries() {
      return map.entrySet();
    }

    @Override
    public Iterable<K> keys() {
      return map.keySet();
    }

    @Override
    public Iterable<V> values() {
      return map.values();
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
      return map.entrySet().iterator();
    }

    @Override
    public boolean isEmpty() {
      return map.isEmpty();
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  static final class CopyingValueState implements ValueState<TreeMeta> {
    TreeMeta value;
    int reads;
    int writes;

    @Override
    public TreeMeta value() {
      reads++;
      return value == null ? null : TreeMetaSerializer.INSTANCE.copy(value);
    }

    @Override
    public void update(TreeMeta v) {
      writes++;
      value = v == null ? null : TreeMetaSerializer.INSTANCE.copy(v);
    }

    @Override
    public void clear() {
      writes++;
      value = null;
    }
  }

  private final CopyingMapState<Long, Node> nodes = new CopyingMapState<>(NodeSerializer.INSTANCE);
  private final CopyingMapState<String, Long> locations =
      new CopyingMapState<>(LongSerializer.INSTANCE);
  private final CopyingValueState meta = new CopyingValueState();

  private MapStateNodeStore store(int capacity) {
    return new MapStateNodeStore(nodes, locations, meta, capacity);
  }

  private static Bucket bucket(long parent) {
    Bucket b = new Bucket(2, 2, false, 0, parent);
    b.append("p", new float[] {1, 2}, 0, 2.236f, 0f, null, 0, 0f);
    return b;
  }

  @Test
  void everyCallNeedsAnOpenAccessAndOnlyOneIsOpenAtATime() {
    MapStateNodeStore s = store(4);
    assertThatThrownBy(() -> s.get(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("store.open()");
    assertThatThrownBy(s::meta).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.place("a", 1)).isInstanceOf(IllegalStateException.class);
    try (var access = s.open()) {
      assertThat(s.isOpen()).isTrue();
      assertThatThrownBy(s::open).isInstanceOf(IllegalStateException.class);
    }
    assertThat(s.isOpen()).isFalse();
  }

  @Test
  void writesReachStateOnlyWhenTheAccessCloses() {
    MapStateNodeStore s = store(4);
    TreeMeta m = new TreeMeta(2, 1, 2, 4096, null);
    var access = s.open();
    s.put(1, bucket(0));
    s.place("p", 1);
    s.putMeta(m);
    assertThat(nodes.puts + locations.puts + meta.writes).isZero();
    access.close();
    assertThat(nodes.map).containsOnlyKeys(1L);
    assertThat(locations.map).containsEntry("p", 1L);
    assertThat(meta.value.size()).isEqualTo(1);
    access.close(); // idempotent: nothing written twice
    assertThat(nodes.puts).isEqualTo(1);
    assertThat(s.accesses()).isEqualTo(new StateAccesses(0, 1, 0, 0, 1, 0, 0, 1, 0));
    // bytes: node key and node, the location's point id ("p": 2 bytes) and bucket id, the meta
    long written =
        8 + NodeSerializer.serializedSize(bucket(0)) + 2 + 8 + TreeMetaSerializer.serializedSize(m);
    assertThat(s.stateBytesWritten()).isEqualTo(written);
    assertThat(s.stateBytesRead()).isZero();
    try (var again = s.open()) {
      s.get(1);
      s.locate("p");
      s.meta();
    }
    // read back, the same keys and values count the same bytes
    assertThat(s.stateBytesRead()).isEqualTo(written);
  }

  @Test
  void aCachedNodeIsHandedOutAsTheSameObjectWithinAnAccessButNotAcrossAccesses() {
    MapStateNodeStore s = store(4);
    try (var access = s.open()) {
      s.put(1, bucket(0));
    }
    Node first;
    try (var access = s.open()) {
      first = s.get(1);
      ((Bucket) first).vectors()[0] = 42f; // the tree mutates in place, then puts
      assertThat(s.get(1)).isSameAs(first);
      assertThat(((Bucket) s.get(1)).vectors()[0]).isEqualTo(42f);
      s.put(1, first);
    }
    assertThat(nodes.gets).isEqualTo(1);
    try (var access = s.open()) {
      Node again = s.get(1);
      assertThat(again).isNotSameAs(first);
      assertThat(((Bucket) again).vectors()[0]).isEqualTo(42f);
    }
    assertThat(nodes.gets).isEqualTo(2);
  }

  @Test
  void theCacheIsBoundedAndWritesBackWhatItEvicts() {
    MapStateNodeStore s = store(2);
    try (var access = s.open()) {
      s.put(1, bucket(0));
      s.put(2, bucket(0));
      assertThat(nodes.puts).isZero();
      s.put(3, bucket(0)); // evicts 1, the least recently used, which is dirty
      assertThat(nodes.map).containsOnlyKeys(1L);
      assertThat(s.get(2)).isNotNull(); // still cached
      assertThat(nodes.gets).isZero();
      assertThat(s.get(1)).isNotNull(); // evicted: read back from state
      assertThat(nodes.gets).isEqualTo(1);
    }
    assertThat(nodes.map).containsOnlyKeys(1L, 2L, 3L);
    assertThat(nodes.puts).isEqualTo(3);
  }

  @Test
  void whatTheStateNeverHeldCostsNoWriteToForget() {
    MapStateNodeStore s = store(4);
    try (var access = s.open()) {
      assertThat(s.get(7)).isNull();
      s.put(7, new RoutingNode(2, 3, 0));
      s.remove(7);
      assertThat(s.get(7)).isNull();
      assertThat(s.locate("q")).isEqualTo(-1);
      s.place("q", 7);
      s.unplace("q");
      assertThat(s.meta()).isNull();
      assertThat(s.meta()).isNull();
    }
    assertThat(s.accesses()).isEqualTo(new StateAccesses(1, 0, 0, 1, 0, 0, 1, 0, 2));
  }

  @Test
  void removalsAndAnEmptyMetaReachState() {
    MapStateNodeStore s = store(4);
    try (var access = s.open()) {
      s.put(0, new RoutingNode(2, 2, 0));
      s.place("a", 0);
      s.putMeta(new TreeMeta(2, 1, 1, 4096, null));
    }
    try (var access = s.open()) {
      assertThat(s.nodeCount()).isEqualTo(1);
      assertThat(s.locationCount()).isEqualTo(1);
      s.remove(0);
      s.unplace("a");
      s.putMeta(null);
      // counting writes the pending removals first
      assertThat(s.nodeCount()).isZero();
      assertThat(s.locationCount()).isZero();
    }
    assertThat(nodes.map).isEmpty();
    assertThat(locations.map).isEmpty();
    assertThat(meta.value).isNull();
    assertThat(nodes.removes).isEqualTo(1);
    assertThat(locations.removes).isEqualTo(1);
  }

  @Test
  void stateNamesAndSerializersAreFixed() {
    var n = MapStateNodeStore.nodesDescriptor("items");
    assertThat(n.getName()).isEqualTo("simjoin-tree-nodes-items");
    assertThat(n.getKeySerializer()).isSameAs(LongSerializer.INSTANCE);
    assertThat(n.getValueSerializer()).isSameAs(NodeSerializer.INSTANCE);
    var l = MapStateNodeStore.locationsDescriptor("queries");
    assertThat(l.getName()).isEqualTo("simjoin-tree-locations-queries");
    assertThat(l.getKeySerializer()).isSameAs(StringSerializer.INSTANCE);
    assertThat(l.getValueSerializer()).isSameAs(LongSerializer.INSTANCE);
    var m = MapStateNodeStore.metaDescriptor("items");
    assertThat(m.getName()).isEqualTo("simjoin-tree-meta-items");
    assertThat(m.getSerializer()).isSameAs(TreeMetaSerializer.INSTANCE);
    for (String bad : new String[] {"", "a b", "ü", "x/y"}) {
      assertThatThrownBy(() -> MapStateNodeStore.nodesDescriptor(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new MapStateNodeStore(nodes, locations, meta, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
