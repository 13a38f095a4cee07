package io.simjoin.state;

import java.util.Arrays;

/**
 * An inner node of a {@link CoverTree}: a table of child entries.
 *
 * <p>Entry {@code e} describes child {@code childId(e)} (a routing node or a bucket): its centre
 * (stored at {@code centres[e * dim, (e + 1) * dim)}), its radius (an upper bound on the distance
 * from the centre to any point below the child), its max norm (an upper bound on the norm of any
 * point below it) and its min bar (a lower bound on the bar of any point below it; used by the
 * reverse search over standing queries). Keeping the summaries in the parent lets a search bound
 * every child from one record and read only the children it keeps.
 */
public final class RoutingNode implements Node {
  private final int dim;
  long parent;
  int size;
  final long[] childIds;
  final boolean[] childIsBucket;
  final float[] centres;
  final float[] radii;
  final float[] maxNorms;
  final float[] minBars;

  /** An empty node with room for {@code capacity} entries of dimension {@code dim}. */
  public RoutingNode(int dim, int capacity, long parent) {
    this.dim = dim;
    this.parent = parent;
    this.childIds = new long[capacity];
    this.childIsBucket = new boolean[capacity];
    this.centres = new float[capacity * dim];
    this.radii = new float[capacity];
    this.maxNorms = new float[capacity];
    this.minBars = new float[capacity];
  }

  @Override
  public long parent() {
    return parent;
  }

  @Override
  public int size() {
    return size;
  }

  /** Dimension of the centres. */
  public int dimension() {
    return dim;
  }

  /** Maximum number of entries this node can hold. */
  public int capacity() {
    return childIds.length;
  }

  public long childId(int e) {
    return childIds[e];
  }

  public boolean childIsBucket(int e) {
    return childIsBucket[e];
  }

  /** The contiguous centre block; entry {@code e} starts at {@code e * dimension()}. */
  public float[] centres() {
    return centres;
  }

  public float radius(int e) {
    return radii[e];
  }

  public float maxNorm(int e) {
    return maxNorms[e];
  }

  public float minBar(int e) {
    return minBars[e];
  }

  /** Appends an entry; used by the tree and by deserializers. */
  public void addEntry(
      long childId,
      boolean isBucket,
      float[] centre,
      int centreOff,
      float r,
      float maxNorm,
      float minBar) {
    int e = size++;
    setEntry(e, childId, isBucket, centre, centreOff, r, maxNorm, minBar);
  }

  void setEntry(
      int e,
      long childId,
      boolean isBucket,
      float[] centre,
      int centreOff,
      float r,
      float maxNorm,
      float minBar) {
    childIds[e] = childId;
    childIsBucket[e] = isBucket;
    System.arraycopy(centre, centreOff, centres, e * dim, dim);
    radii[e] = r;
    maxNorms[e] = maxNorm;
    minBars[e] = minBar;
  }

  /** Copies entry {@code from} of {@code src} into slot {@code e} of this node. */
  void copyEntry(int e, RoutingNode src, int from) {
    setEntry(
        e,
        src.childIds[from],
        src.childIsBucket[from],
        src.centres,
        from * dim,
        src.radii[from],
        src.maxNorms[from],
        src.minBars[from]);
  }

  /** Removes entry {@code e} by moving the last entry into its slot. */
  void removeEntry(int e) {
    int last = --size;
    if (e != last) {
      copyEntry(e, this, last);
    }
  }

  /** Slot of the child with this id; the tables are small, so a scan is cheaper than an index. */
  int slotOf(long childId) {
    for (int e = 0; e < size; e++) {
      if (childIds[e] == childId) {
        return e;
      }
    }
    throw new IllegalStateException("node has no child " + childId);
  }

  @Override
  public RoutingNode copy() {
    RoutingNode c = new RoutingNode(dim, capacity(), parent);
    c.size = size;
    System.arraycopy(childIds, 0, c.childIds, 0, size);
    System.arraycopy(childIsBucket, 0, c.childIsBucket, 0, size);
    System.arraycopy(centres, 0, c.centres, 0, size * dim);
    System.arraycopy(radii, 0, c.radii, 0, size);
    System.arraycopy(maxNorms, 0, c.maxNorms, 0, size);
    System.arraycopy(minBars, 0, c.minBars, 0, size);
    return c;
  }

  @Override
  public String toString() {
    return "RoutingNode{parent="
        + parent
        + ", children="
        + Arrays.toString(Arrays.copyOf(childIds, size))
        + "}";
  }
}
