package io.simjoin.state;

/**
 * Machine-independent work counters of a {@link CoverTree}, cumulative since the last {@link
 * #reset()}: inner products (and distances) computed, nodes visited, store reads and writes.
 * Benchmarks divide them by the number of operations; tests assert budgets on them.
 */
public final class TreeCounters {
  long dots;
  long partialDots;
  long screenDots;
  long nodesVisited;
  long storeReads;
  long storeWrites;

  public long dots() {
    return dots;
  }

  /** Partial products over the heads of points (see {@link Basis}), each a fraction of a dot. */
  public long partialDots() {
    return partialDots;
  }

  /**
   * Full-dimension inner products computed panel-wise to screen a bucket's points at once (see
   * {@link io.simjoin.state.kernel.DotKernel#panelDots}); the points that pass are counted again in
   * {@link #dots()} when their exact product is taken.
   */
  public long screenDots() {
    return screenDots;
  }

  /**
   * Full-dimension inner products, exact and screening, plus partial ones weighted by {@code head /
   * dim}.
   */
  public double equivalentDots(int dim, int head) {
    return dots + screenDots + (double) partialDots * head / dim;
  }

  public long nodesVisited() {
    return nodesVisited;
  }

  public long storeReads() {
    return storeReads;
  }

  public long storeWrites() {
    return storeWrites;
  }

  public void reset() {
    dots = 0;
    partialDots = 0;
    screenDots = 0;
    nodesVisited = 0;
    storeReads = 0;
    storeWrites = 0;
  }

  /** A copy of the current values. */
  public TreeCounters snapshot() {
    TreeCounters c = new TreeCounters();
    c.dots = dots;
    c.partialDots = partialDots;
    c.screenDots = screenDots;
    c.nodesVisited = nodesVisited;
    c.storeReads = storeReads;
    c.storeWrites = storeWrites;
    return c;
  }

  @Override
  public String toString() {
    return "TreeCounters{dots="
        + dots
        + ", screenDots="
        + screenDots
        + ", nodesVisited="
        + nodesVisited
        + ", storeReads="
        + storeReads
        + ", storeWrites="
        + storeWrites
        + "}";
  }
}
