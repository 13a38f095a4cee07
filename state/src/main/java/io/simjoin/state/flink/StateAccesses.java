package io.simjoin.state.flink;

import java.io.Serializable;

/**
 * Calls a {@link MapStateNodeStore} made on its Flink states, cumulative since the store was built:
 * what a state backend actually served (each one a JNI call and a (de)serialization on RocksDB),
 * not what the tree asked of the store's cache. Subtract two readings with {@link #minus} to get
 * the cost of one operation.
 *
 * <pre>{@code
 * StateAccesses before = store.accesses();
 * try (var access = store.open()) {
 *   tree.topK(query, 10);
 * }
 * StateAccesses search = store.accesses().minus(before);
 * long reads = search.reads(); // node, location and meta reads of that search
 * }</pre>
 *
 * @param nodeGets {@code MapState.get} calls on the nodes state
 * @param nodePuts {@code MapState.put} calls on the nodes state
 * @param nodeRemoves {@code MapState.remove} calls on the nodes state
 * @param locationGets {@code MapState.get} calls on the locations state
 * @param locationPuts {@code MapState.put} calls on the locations state
 * @param locationRemoves {@code MapState.remove} calls on the locations state
 * @param metaReads {@code ValueState.value} calls
 * @param metaWrites {@code ValueState.update} and {@code ValueState.clear} calls
 * @param cacheHits reads the per-record cache answered without touching state
 */
public record StateAccesses(
    long nodeGets,
    long nodePuts,
    long nodeRemoves,
    long locationGets,
    long locationPuts,
    long locationRemoves,
    long metaReads,
    long metaWrites,
    long cacheHits)
    implements Serializable {

  /** All state reads. */
  public long reads() {
    return nodeGets + locationGets + metaReads;
  }

  /** All state writes, removals included. */
  public long writes() {
    return nodePuts + nodeRemoves + locationPuts + locationRemoves + metaWrites;
  }

  /** The accesses made since {@code earlier}. */
  public StateAccesses minus(StateAccesses earlier) {
    return new StateAccesses(
        nodeGets - earlier.nodeGets,
        nodePuts - earlier.nodePuts,
        nodeRemoves - earlier.nodeRemoves,
        locationGets - earlier.locationGets,
        locationPuts - earlier.locationPuts,
        locationRemoves - earlier.locationRemoves,
        metaReads - earlier.metaReads,
        metaWrites - earlier.metaWrites,
        cacheHits - earlier.cacheHits);
  }
}
