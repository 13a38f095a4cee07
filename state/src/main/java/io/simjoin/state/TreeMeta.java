package io.simjoin.state;

/**
 * Per-tree metadata a {@link NodeStore} keeps beside the nodes: the dimension, the number of live
 * points, the next free node id, the learned {@link Basis} (or none) and the size at which the
 * basis is learned again. Node 0 is always the tree's super-root (see {@link CoverTree}).
 */
public final class TreeMeta {
  private final int dimension;
  private long size;
  private long nextNodeId;
  private long nextLearnAt;
  private Basis basis;

  public TreeMeta(int dimension, long size, long nextNodeId, long nextLearnAt, Basis basis) {
    this.dimension = dimension;
    this.size = size;
    this.nextNodeId = nextNodeId;
    this.nextLearnAt = nextLearnAt;
    this.basis = basis;
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

  /** Size at which the basis is learned (again). */
  public long nextLearnAt() {
    return nextLearnAt;
  }

  /** The basis points carry heads for, or {@code null}. */
  public Basis basis() {
    return basis;
  }

  void addSize(long delta) {
    size += delta;
  }

  long allocateNodeId() {
    return nextNodeId++;
  }

  void learned(Basis basis, long nextLearnAt) {
    this.basis = basis;
    this.nextLearnAt = nextLearnAt;
  }

  public TreeMeta copy() {
    return new TreeMeta(dimension, size, nextNodeId, nextLearnAt, basis);
  }

  @Override
  public String toString() {
    return "TreeMeta{dimension="
        + dimension
        + ", size="
        + size
        + ", nextNodeId="
        + nextNodeId
        + ", nextLearnAt="
        + nextLearnAt
        + ", head="
        + (basis == null ? 0 : basis.head())
        + "}";
  }
}
