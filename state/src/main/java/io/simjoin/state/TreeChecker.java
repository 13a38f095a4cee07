package io.simjoin.state;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Walks a whole {@link CoverTree} and checks its invariants (see the tree's class comment). Every
 * point is checked against every ancestor's entry, not only its parent's, so a bound that is true
 * locally but false higher up is caught. Distances are recomputed in double precision; a stored
 * bound may undercut them by no more than float rounding.
 */
final class TreeChecker {

  /** One entry on the walk: a child and the chain of entries above it. */
  private record Frame(
      long id,
      boolean bucket,
      float[] centre,
      float radius,
      float maxNorm,
      float minBar,
      long parent,
      Frame up) {}

  private TreeChecker() {}

  static void check(CoverTree tree, TreeMeta meta) {
    NodeStore store = tree.store();
    int dim = tree.dimension();
    double tol = tree.tolerance();
    if (meta.dimension() != dim) {
      fail("meta dimension " + meta.dimension() + " != tree dimension " + dim);
    }
    Node sn = store.get(CoverTree.SUPER_ROOT);
    if (!(sn instanceof RoutingNode s)) {
      fail("the super-root is missing or not a routing node: " + sn);
      return;
    }
    if (s.size > 1) {
      fail("the super-root has " + s.size + " entries; it holds the root only");
    }
    long points = 0;
    long nodes = 1;
    Deque<Frame> stack = new ArrayDeque<>();
    pushEntries(stack, s, CoverTree.SUPER_ROOT, null);
    while (!stack.isEmpty()) {
      Frame f = stack.pop();
      nodes++;
      Node n = store.get(f.id);
      if (n == null) {
        fail("node " + f.id + " is referenced by " + f.parent + " but not stored");
      }
      if (n.parent() != f.parent) {
        fail(
            "node "
                + f.id
                + " says its parent is "
                + n.parent()
                + " but it is listed by "
                + f.parent);
      }
      if (f.bucket) {
        if (!(n instanceof Bucket b)) {
          fail("entry of " + f.parent + " says " + f.id + " is a bucket, but it is " + n);
          return;
        }
        if (b.size < 1 || b.size > tree.bucketCapacity()) {
          fail(
              "bucket "
                  + f.id
                  + " holds "
                  + b.size
                  + " points; allowed 1.."
                  + tree.bucketCapacity());
        }
        Basis basis = meta.basis();
        if (basis == null ? b.heads != null : b.head != basis.head()) {
          fail(
              "bucket "
                  + f.id
                  + " carries heads of length "
                  + b.head
                  + " but the basis is "
                  + basis);
        }
        if (basis != null) {
          float[] hd = new float[basis.head()];
          for (int i = 0; i < b.size; i++) {
            float tail = basis.project(b.vectors, i * dim, hd, 0);
            if (!Arrays.equals(hd, 0, hd.length, b.heads, i * b.head, (i + 1) * b.head)
                || tail != b.tails[i]) {
              fail(
                  "point '"
                      + b.ids[i]
                      + "' in bucket "
                      + f.id
                      + " has a head or tail not of the current basis");
            }
          }
        }
        if (!b.holdsVector(f.centre, 0)) {
          fail("nesting: the centre of bucket " + f.id + " is not one of its points");
        }
        for (int i = 0; i < b.size; i++) {
          points++;
          String id = b.ids[i];
          if (store.locate(id) != f.id) {
            fail("point '" + id + "' is in bucket " + f.id + " but located at " + store.locate(id));
          }
          float norm = b.norms[i];
          if (i > 0 && norm > b.norms[i - 1]) {
            fail("bucket " + f.id + " is not in descending norm order at point " + i);
          }
          float[] v = Arrays.copyOfRange(b.vectors, i * dim, (i + 1) * dim);
          if (norm != tree.norm(v)) {
            fail("point '" + id + "' has stored norm " + norm + " but its norm is " + tree.norm(v));
          }
          float bar = b.bar(i);
          for (Frame a = f; a != null; a = a.up) {
            double d = distance(v, a.centre);
            if (d > a.radius * (1 + tol) + 1e-6 * (1 + norm)) {
              fail(
                  "covering: point '"
                      + id
                      + "' is "
                      + d
                      + " from the centre of node "
                      + a.id
                      + ", whose radius is "
                      + a.radius);
            }
            if (norm > a.maxNorm) {
              fail(
                  "point '"
                      + id
                      + "' has norm "
                      + norm
                      + " above the max norm "
                      + a.maxNorm
                      + " of node "
                      + a.id);
            }
            if (bar < a.minBar) {
              fail(
                  "point '"
                      + id
                      + "' has bar "
                      + bar
                      + " below the min bar "
                      + a.minBar
                      + " of node "
                      + a.id);
            }
          }
        }
      } else {
        if (!(n instanceof RoutingNode r)) {
          fail("entry of " + f.parent + " says " + f.id + " is a routing node, but it is " + n);
          return;
        }
        if (r.size < 2 || r.size > tree.fanout()) {
          fail(
              "routing node " + f.id + " has " + r.size + " children; allowed 2.." + tree.fanout());
        }
        boolean nested = false;
        for (int e = 0; e < r.size; e++) {
          nested |= Arrays.equals(r.centres, e * dim, (e + 1) * dim, f.centre, 0, dim);
        }
        if (!nested) {
          fail(
              "nesting: the centre of routing node "
                  + f.id
                  + " is not the centre of any of its children");
        }
        pushEntries(stack, r, f.id, f);
      }
    }
    if (points != meta.size()) {
      fail("the tree holds " + points + " points but its size says " + meta.size());
    }
    if (s.size == 0 && meta.size() != 0) {
      fail("empty super-root but size " + meta.size());
    }
    long stored = store.nodeCount();
    if (stored != nodes) {
      fail(
          "the store holds "
              + stored
              + " nodes but "
              + nodes
              + " are reachable: garbage left behind");
    }
    if (store.locationCount() != points) {
      fail("the store locates " + store.locationCount() + " points but the tree holds " + points);
    }
    if (nodes > 2 * points + 1) {
      fail(nodes + " nodes for " + points + " points: more than 2 per point");
    }
  }

  private static void pushEntries(Deque<Frame> stack, RoutingNode r, long id, Frame up) {
    int dim = r.dimension();
    for (int e = 0; e < r.size; e++) {
      stack.push(
          new Frame(
              r.childIds[e],
              r.childIsBucket[e],
              Arrays.copyOfRange(r.centres, e * dim, (e + 1) * dim),
              r.radii[e],
              r.maxNorms[e],
              r.minBars[e],
              id,
              up));
    }
  }

  private static double distance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s);
  }

  private static void fail(String message) {
    throw new IllegalStateException("cover tree invariant violated: " + message);
  }
}
