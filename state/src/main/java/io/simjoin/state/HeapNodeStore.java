package io.simjoin.state;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;

/**
 * A {@link NodeStore} on the Java heap, for tests, the batch library and benchmarks.
 *
 * <p>Primitive-keyed maps keep the per-point cost to the id's slot and a {@code long}, which is
 * what lets a tree stay within 1.5x the raw vector bytes plus 64 bytes per point.
 *
 * <pre>{@code
 * CoverTree tree = CoverTree.builder(64).store(new HeapNodeStore()).build();
 * }</pre>
 */
public final class HeapNodeStore implements NodeStore {
  private final Long2ObjectOpenHashMap<Node> nodes = new Long2ObjectOpenHashMap<>();
  private final Object2LongOpenHashMap<String> locations = new Object2LongOpenHashMap<>();
  private TreeMeta meta;

  public HeapNodeStore() {
    locations.defaultReturnValue(-1L);
  }

  @Override
  public Node get(long id) {
    return nodes.get(id);
  }

  @Override
  public void put(long id, Node node) {
    nodes.put(id, node);
  }

  @Override
  public void remove(long id) {
    nodes.remove(id);
  }

  @Override
  public long locate(String pointId) {
    return locations.getLong(pointId);
  }

  @Override
  public void place(String pointId, long bucketId) {
    locations.put(pointId, bucketId);
  }

  @Override
  public void unplace(String pointId) {
    locations.removeLong(pointId);
  }

  @Override
  public TreeMeta meta() {
    return meta;
  }

  @Override
  public void putMeta(TreeMeta meta) {
    this.meta = meta;
  }

  @Override
  public long nodeCount() {
    return nodes.size();
  }

  @Override
  public long locationCount() {
    return locations.size();
  }
}
