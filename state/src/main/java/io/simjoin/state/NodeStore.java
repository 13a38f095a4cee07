package io.simjoin.state;

/**
 * Where a {@link CoverTree} keeps its records: nodes by id, the location (bucket id) of every point
 * id, and the tree's {@link TreeMeta}. The tree is written once against this interface; the heap
 * store serves tests, the batch library and benchmarks, and a Flink {@code MapState} store keeps
 * the same tree in keyed state (RocksDB with the embedded RocksDB state backend).
 *
 * <p>Contract: {@link #get} may return the stored object itself (heap) or a copy (RocksDB), so the
 * tree {@link #put}s every node it changed. Nothing here is thread-safe; a tree and its store
 * belong to one thread, as keyed state belongs to one operator.
 *
 * <pre>{@code
 * NodeStore store = new HeapNodeStore();
 * CoverTree tree = CoverTree.builder(64).store(store).build();
 * }</pre>
 */
public interface NodeStore {

  /** The node stored under {@code id}, or {@code null}. */
  Node get(long id);

  void put(long id, Node node);

  void remove(long id);

  /** The bucket that holds point {@code pointId}, or {@code -1}. */
  long locate(String pointId);

  void place(String pointId, long bucketId);

  void unplace(String pointId);

  /** The tree's metadata, or {@code null} for an empty store. */
  TreeMeta meta();

  void putMeta(TreeMeta meta);

  /**
   * Number of stored nodes. Meant for tests and reports; a state-backed store may have to iterate
   * to answer.
   */
  long nodeCount();

  /** Number of point locations; like {@link #nodeCount()}, for tests and reports. */
  long locationCount();
}
