package io.simjoin.state;

/**
 * One record of a {@link CoverTree}: what a {@link NodeStore} keeps under one node id.
 *
 * <p>A tree is made of {@link RoutingNode}s, which hold the summaries of their children inline
 * (centres stored contiguously, radii, max norms, min bars) so that one store read scores every
 * child, and {@link Bucket}s, which hold up to a bucket capacity of points contiguously so that one
 * store read and one tight kernel loop cover many points.
 */
public sealed interface Node permits RoutingNode, Bucket {

  /** Id of the routing node whose table holds this node's summary. */
  long parent();

  /** Number of entries: children for a routing node, points for a bucket. */
  int size();

  /** A deep copy; stores that hand out references use it to mimic a copying backend in tests. */
  Node copy();
}
