package io.simjoin.state.flink;

import io.simjoin.state.Basis;
import io.simjoin.state.Bucket;
import io.simjoin.state.Node;
import io.simjoin.state.RoutingNode;
import io.simjoin.state.TreeMeta;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Random nodes and metas for serializer tests, and a field-by-field comparison of them. */
final class TestNodes {
  private TestNodes() {}

  private static final float[] SPECIAL = {
    0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-30f
  };

  static float value(SplittableRandom r) {
    return r.nextInt(8) == 0
        ? SPECIAL[r.nextInt(SPECIAL.length)]
        : (float) (r.nextDouble(-4, 4) * Math.pow(10, r.nextInt(-3, 4)));
  }

  static float[] values(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = value(r);
    }
    return a;
  }

  static RoutingNode routing(SplittableRandom r, int dim, int capacity, int size) {
    RoutingNode n = new RoutingNode(dim, capacity, r.nextLong(0, Long.MAX_VALUE));
    for (int e = 0; e < size; e++) {
      float[] centre = values(r, dim);
      float minBar = r.nextBoolean() ? Float.NEGATIVE_INFINITY : value(r);
      n.addEntry(
          r.nextLong(0, Long.MAX_VALUE),
          r.nextBoolean(),
          centre,
          0,
          Math.abs(value(r)),
          Math.abs(value(r)),
          minBar);
    }
    return n;
  }

  /** Ids that stress the string encoding: ASCII, BMP and supplementary characters, and NUL. */
  static String id(SplittableRandom r) {
    return switch (r.nextInt(5)) {
      case 0 -> "item-" + r.nextLong();
      case 1 -> "ünïcødé-" + r.nextInt(1000) + "-日本語";
      case 2 -> "emoji-\uD83D\uDE00-" + r.nextInt(1000) + "-\uD834\uDD1E";
      case 3 -> "nul\u0000in-" + r.nextInt(1000);
      default -> Long.toString(r.nextLong(), 36);
    };
  }

  /** A bucket with descending norms (ties included); {@code head > 0} gives heads and tails. */
  static Bucket bucket(SplittableRandom r, int dim, int size, boolean bars, int head) {
    Bucket b = new Bucket(dim, Math.max(1, size + r.nextInt(5)), bars, head, r.nextLong(0, 1000));
    float[] norms = new float[size];
    for (int i = 0; i < size; i++) {
      norms[i] = r.nextInt(4) == 0 && i > 0 ? norms[i - 1] : Math.abs(value(r));
    }
    // descending, with ties kept
    Arrays.sort(norms);
    for (int i = 0; i < size / 2; i++) {
      float t = norms[i];
      norms[i] = norms[size - 1 - i];
      norms[size - 1 - i] = t;
    }
    for (int i = 0; i < size; i++) {
      float bar = r.nextBoolean() ? Float.NEGATIVE_INFINITY : value(r);
      float[] hd = head > 0 ? values(r, head) : null;
      b.append(
          id(r) + "#" + i,
          values(r, dim),
          0,
          norms[i],
          bar,
          hd,
          0,
          head > 0 ? Math.abs(value(r)) : 0f);
    }
    return b;
  }

  static Node randomNode(SplittableRandom r) {
    int dim = 1 + r.nextInt(20);
    if (r.nextBoolean()) {
      int cap = 1 + r.nextInt(40);
      return routing(r, dim, cap, r.nextInt(cap + 1));
    }
    int head = r.nextBoolean() ? 0 : 1 + r.nextInt(dim);
    return bucket(r, dim, r.nextInt(40), r.nextBoolean(), head);
  }

  static TreeMeta meta(SplittableRandom r, boolean withBasis) {
    int dim = 1 + r.nextInt(64);
    Basis basis = null;
    if (withBasis) {
      int head = 1 + r.nextInt(8);
      double[] rows = new double[head * dim];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = r.nextGaussian();
      }
      basis = new Basis(dim, head, rows);
    }
    return new TreeMeta(
        dim,
        r.nextLong(0, Long.MAX_VALUE),
        r.nextLong(1, Long.MAX_VALUE),
        r.nextLong(0, Long.MAX_VALUE),
        basis);
  }

  /** Field-by-field equality with floats compared bit for bit; the first difference, or null. */
  static String difference(Node a, Node b) {
    if (a.getClass() != b.getClass()) {
      return "types " + a.getClass().getSimpleName() + " vs " + b.getClass().getSimpleName();
    }
    if (a.parent() != b.parent()) {
      return "parent " + a.parent() + " vs " + b.parent();
    }
    if (a.size() != b.size()) {
      return "size " + a.size() + " vs " + b.size();
    }
    if (a instanceof RoutingNode x && b instanceof RoutingNode y) {
      return routingDifference(x, y);
    }
    return bucketDifference((Bucket) a, (Bucket) b);
  }

  private static String routingDifference(RoutingNode x, RoutingNode y) {
    int dim = x.dimension();
    if (dim != y.dimension() || x.capacity() != y.capacity()) {
      return "dim/capacity "
          + dim
          + "/"
          + x.capacity()
          + " vs "
          + y.dimension()
          + "/"
          + y.capacity();
    }
    for (int e = 0; e < x.size(); e++) {
      if (x.childId(e) != y.childId(e)
          || x.childIsBucket(e) != y.childIsBucket(e)
          || !sameBits(x.radius(e), y.radius(e))
          || !sameBits(x.maxNorm(e), y.maxNorm(e))
          || !sameBits(x.minBar(e), y.minBar(e))
          || !sameBits(x.centres(), e * dim, y.centres(), e * dim, dim)) {
        return "entry " + e;
      }
    }
    return null;
  }

  private static String bucketDifference(Bucket x, Bucket y) {
    int dim = x.dimension();
    int head = x.head();
    if (dim != y.dimension() || x.hasBars() != y.hasBars() || head != y.head()) {
      return "dim/bars/head";
    }
    if ((x.heads() == null) != (y.heads() == null)) {
      return "heads present in one only";
    }
    for (int i = 0; i < x.size(); i++) {
      if (!x.id(i).equals(y.id(i))
          || !sameBits(x.norm(i), y.norm(i))
          || !sameBits(x.bar(i), y.bar(i))
          || !sameBits(x.vectors(), i * dim, y.vectors(), i * dim, dim)) {
        return "point " + i;
      }
      if (head > 0
          && (!sameBits(x.tail(i), y.tail(i))
              || !sameBits(x.heads(), i * head, y.heads(), i * head, head))) {
        return "head of point " + i;
      }
    }
    return null;
  }

  static String difference(TreeMeta a, TreeMeta b) {
    if (a.dimension() != b.dimension()
        || a.size() != b.size()
        || a.nextNodeId() != b.nextNodeId()
        || a.nextLearnAt() != b.nextLearnAt()) {
      return a + " vs " + b;
    }
    if ((a.basis() == null) != (b.basis() == null)) {
      return "basis present in one only";
    }
    if (a.basis() != null && !a.basis().equals(b.basis())) {
      return "basis differs";
    }
    return null;
  }

  private static boolean sameBits(float a, float b) {
    return Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b);
  }

  private static boolean sameBits(float[] a, int aOff, float[] b, int bOff, int len) {
    for (int i = 0; i < len; i++) {
      if (!sameBits(a[aOff + i], b[bOff + i])) {
        return false;
      }
    }
    return true;
  }
}
