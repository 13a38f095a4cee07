package io.simjoin.state;

/**
 * Per-tree metadata a {@link NodeStore} keeps beside the nodes: the dimension, the number of live
 * points and the next free node id. Node 0 is always the tree's super-root (see {@link CoverTree}).
 */
public final class TreeMeta {
  private final int dimension;
  private long size;
  private long nextNodeId;

  public TreeMeta(int dimension, long size, long nextNodeId) {
    this.dimension = dimension;
    this.size = size;
    this.nextNodeId = nextNodeId;
  }

  public int dimension() {
    return dimension;
  }

  public long size() {
    return size;
  }

  public long nextNodeId() {
    return nextNodeId;
  }

  void addSize(long delta) {
    size += delta;
  }

  long allocateNodeId() {
    return nextNodeId++;
  }

  public TreeMeta copy() {
    return new TreeMeta(dimension, size, nextNodeId);
  }

  @Override
  public String toString() {
    return "TreeMeta{dimension="
        + dimension
        + ", size="
        + size
        + ", nextNodeId="
        + nextNodeId
        + "}";
  }
}
