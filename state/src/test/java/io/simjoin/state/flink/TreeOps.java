package io.simjoin.state.flink;

import io.simjoin.state.CoverTree;
import io.simjoin.state.Match;
import io.simjoin.state.Node;
import io.simjoin.state.TreeMeta;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

/**
 * A keyed operator that applies cover-tree operations from its input to a tree kept in keyed state
 * through {@link MapStateNodeStore}, and the harness around it: the smallest real use of the store.
 */
final class TreeOps {
  private TreeOps() {}

  enum Backend {
    HEAP,
    ROCKSDB;

    StateBackend create() {
      // Incremental, as in production: the snapshot then holds RocksDB's own files.
      return this == HEAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend(true);
    }
  }

  enum Kind {
    INSERT,
    UPSERT,
    DELETE,
    TOPK,
    CHECK,
    COUNT
  }

  /** One operation on the tree of Flink key {@code key}. */
  record Op(String key, Kind kind, String id, float[] vector, int k) implements Serializable {
    static Op insert(String key, String id, float[] v) {
      return new Op(key, Kind.INSERT, id, v, 0);
    }

    static Op upsert(String key, String id, float[] v) {
      return new Op(key, Kind.UPSERT, id, v, 0);
    }

    static Op delete(String key, String id) {
      return new Op(key, Kind.DELETE, id, null, 0);
    }

    static Op topK(String key, float[] q, int k) {
      return new Op(key, Kind.TOPK, null, q, k);
    }

    static Op check(String key) {
      return new Op(key, Kind.CHECK, null, null, 0);
    }

    static Op count(String key) {
      return new Op(key, Kind.COUNT, null, null, 0);
    }
  }

  /**
   * What one operation answered, with the state accesses it made: {@code flag} is what upsert and
   * delete return; the counts are filled by CHECK and COUNT.
   */
  record Answer(
      String key,
      Kind kind,
      List<String> ids,
      List<Float> scores,
      boolean flag,
      long size,
      long nodes,
      long locations,
      boolean hasMeta,
      int head,
      StateAccesses accesses)
      implements Serializable {

    /** The same answer with other state accesses (null: none recorded). */
    Answer withAccesses(StateAccesses made) {
      return new Answer(key, kind, ids, scores, flag, size, nodes, locations, hasMeta, head, made);
    }
  }

  /** Tree shape and store settings of a {@link Function}. */
  record Settings(
      int dim,
      int bucketCapacity,
      int fanout,
      int cacheCapacity,
      boolean countingStates,
      int keptCapacity)
      implements Serializable {}

  /** The operator's function: one access per record, the tree built inside the first one. */
  static final class Function extends KeyedProcessFunction<String, Op, Answer>
      implements CheckpointedFunction {
    private final Settings settings;
    private transient MapStateNodeStore store;
    private transient CoverTree tree;
    transient CountingMapState<Long, Node> countedNodes;
    transient CountingMapState<String, Long> countedLocations;
    transient CountingValueState<TreeMeta> countedMeta;

    Function(Settings settings) {
      this.settings = settings;
    }

    @Override
    public void open(OpenContext context) {
      RuntimeContext rc = getRuntimeContext();
      if (settings.countingStates()) {
        countedNodes =
            new CountingMapState<>(rc.getMapState(MapStateNodeStore.nodesDescriptor("items")));
        countedLocations =
            new CountingMapState<>(rc.getMapState(MapStateNodeStore.locationsDescriptor("items")));
        countedMeta =
            new CountingValueState<>(rc.getState(MapStateNodeStore.metaDescriptor("items")));
        store =
            new MapStateNodeStore(
                countedNodes, countedLocations, countedMeta, settings.cacheCapacity());
      } else {
        store =
            MapStateNodeStore.create(
                rc, "items", settings.cacheCapacity(), settings.keptCapacity());
      }
      tree = null;
    }

    /** As ShardJoin does: nothing kept may outlive a snapshot (heap backend objects). */
    @Override
    public void snapshotState(FunctionSnapshotContext context) {
      store.forgetKept();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}

    @Override
    public void processElement(Op op, Context ctx, Collector<Answer> out) {
      StateAccesses before = store.accesses();
      long[] countedBefore = observed();
      Answer a;
      try (var access =
          settings.keptCapacity() > 0 ? store.open(ctx.getCurrentKey()) : store.open()) {
        if (tree == null) {
          tree =
              CoverTree.builder(settings.dim())
                  .store(store)
                  .bucketCapacity(settings.bucketCapacity())
                  .fanout(settings.fanout())
                  .build();
        }
        a = apply(op);
      }
      StateAccesses made = store.accesses().minus(before);
      if (settings.countingStates()) {
        long[] counted = observed();
        long[] reported = {
          made.nodeGets(),
          made.nodePuts(),
          made.nodeRemoves(),
          made.locationGets(),
          made.locationPuts(),
          made.locationRemoves(),
          made.metaReads(),
          made.metaWrites()
        };
        for (int i = 0; i < counted.length; i++) {
          if (counted[i] - countedBefore[i] != reported[i]) {
            throw new AssertionError(
                "the store reports " + made + " but the states saw other calls at field " + i);
          }
        }
      }
      if (a != null) {
        out.collect(a.withAccesses(made));
      }
    }

    private long[] observed() {
      if (!settings.countingStates()) {
        return new long[0];
      }
      return new long[] {
        countedNodes.gets,
        countedNodes.puts,
        countedNodes.removes,
        countedLocations.gets,
        countedLocations.puts,
        countedLocations.removes,
        countedMeta.reads,
        countedMeta.writes
      };
    }

    private Answer apply(Op op) {
      switch (op.kind()) {
        case INSERT:
          tree.insert(op.id(), op.vector());
          return answer(op, List.of(), false);
        case UPSERT:
          return answer(op, List.of(), tree.upsert(op.id(), op.vector()));
        case DELETE:
          return answer(op, List.of(), tree.delete(op.id()));
        case TOPK:
          return answer(op, tree.topK(op.vector(), op.k()), false);
        case CHECK:
          tree.checkInvariants();
          long locations = store.locationCount();
          if (locations != tree.size()) {
            throw new AssertionError(locations + " locations for " + tree.size() + " points");
          }
          return null;
        case COUNT:
          return new Answer(
              op.key(),
              op.kind(),
              List.of(),
              List.of(),
              false,
              tree.size(),
              store.nodeCount(),
              store.locationCount(),
              store.meta() != null,
              tree.partialProductLength(),
              null);
        default:
          throw new IllegalArgumentException(op.kind().toString());
      }
    }

    private static Answer answer(Op op, List<Match> matches, boolean flag) {
      List<String> ids = new ArrayList<>();
      List<Float> scores = new ArrayList<>();
      for (Match m : matches) {
        ids.add(m.id());
        scores.add(m.score());
      }
      return new Answer(op.key(), op.kind(), ids, scores, flag, 0, 0, 0, false, 0, null);
    }
  }

  /** A keyed harness around {@link Function} with generic types disabled, not yet opened. */
  static KeyedOneInputStreamOperatorTestHarness<String, Op, Answer> harness(
      Backend backend, Settings settings) throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, Op, Answer> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new Function(settings)), Op::key, Types.STRING);
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    h.getExecutionConfig().configure(conf, TreeOps.class.getClassLoader());
    if (!h.getExecutionConfig().getSerializerConfig().hasGenericTypesDisabled()) {
      throw new AssertionError("generic types should be disabled");
    }
    h.setStateBackend(backend.create());
    // Without a serializer the harness's output would extract a type for Answer: a generic one.
    h.setup(new AnswerSerializer());
    return h;
  }

  /** Hands answers through the harness's output: they are immutable, so a copy is the answer. */
  static final class AnswerSerializer extends TypeSerializerSingleton<Answer> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
      return true;
    }

    @Override
    public Answer createInstance() {
      return null;
    }

    @Override
    public Answer copy(Answer from) {
      return from;
    }

    @Override
    public Answer copy(Answer from, Answer reuse) {
      return from;
    }

    @Override
    public int getLength() {
      return -1;
    }

    @Override
    public void serialize(Answer record, DataOutputView target) {
      throw new UnsupportedOperationException("test answers are only handed over, not written");
    }

    @Override
    public Answer deserialize(DataInputView source) {
      throw new UnsupportedOperationException("test answers are only handed over, not read");
    }

    @Override
    public Answer deserialize(Answer reuse, DataInputView source) {
      return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) {
      throw new UnsupportedOperationException("test answers are only handed over");
    }

    @Override
    public TypeSerializerSnapshot<Answer> snapshotConfiguration() {
      return new AnswerSerializerSnapshot();
    }
  }

  /** Snapshot of {@link AnswerSerializer}, for Flink's bookkeeping only. */
  public static final class AnswerSerializerSnapshot extends SimpleTypeSerializerSnapshot<Answer> {
    public AnswerSerializerSnapshot() {
      super(AnswerSerializer::new);
    }
  }

  /** Counts the calls that reach a {@code MapState}. */
  static final class CountingMapState<K, V> implements MapState<K, V> {
    private final MapState<K, V> inner;
    long gets;
    long puts;
    long removes;

    CountingMapState(MapState<K, V> inner) {
      this.inner = inner;
    }

    @Override
    public V get(K key) throws Exception {
      gets++;
      return inner.get(key);
    }

    @Override
    public void put(K key, V value) throws Exception {
      puts++;
      inner.put(key, value);
    }

    @Override
    public void putAll(Map<K, V> map) throws Exception {
      puts += map.size();
      inner.putAll(map);
    }

    @Override
    public void remove(K key) throws Exception {
      removes++;
      inner.remove(key);
    }

    @Override
    public boolean contains(K key) throws Exception {
      gets++;
      return inner.contains(key);
    }

    @Override
    public Iterable<Map.Entry<K, V>> entries() throws Exception {
      return inner.entries();
    }

    @Override
    public Iterable<K> keys() throws Exception {
      return inner.keys();
    }

    @Override
    public Iterable<V> values() throws Exception {
      return inner.values();
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() throws Exception {
      return inner.iterator();
    }

    @Override
    public boolean isEmpty() throws Exception {
      return inner.isEmpty();
    }

    @Override
    public void clear() {
      removes++;
      inner.clear();
    }
  }

  /** Counts the calls that reach a {@code ValueState}. */
  static final class CountingValueState<T> implements ValueState<T> {
    private final ValueState<T> inner;
    long reads;
    long writes;

    CountingValueState(ValueState<T> inner) {
      this.inner = inner;
    }

    @Override
    public T value() throws java.io.IOException {
      reads++;
      return inner.value();
    }

    @Override
    public void update(T value) throws java.io.IOException {
      writes++;
      inner.update(value);
    }

    @Override
    public void clear() {
      writes++;
      inner.clear();
    }
  }
}
