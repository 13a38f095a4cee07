package io.simjoin.state.flink;

import io.simjoin.state.Bucket;
import io.simjoin.state.Node;
import io.simjoin.state.RoutingNode;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The Flink serializer of a cover-tree {@link Node}: the value type of the nodes {@code MapState}
 * of {@link MapStateNodeStore}. Hand-written, so no Kryo and no reflection ever touch tree state,
 * and versioned through {@link NodeSerializerSnapshot} so the format can evolve.
 *
 * <p>Format 1 (all numbers big-endian, floats as raw IEEE bits):
 *
 * <pre>
 * routing node: byte 0, long parent, int dim, int capacity, int size,
 *               size × (long childId, bool isBucket), size·dim centre floats,
 *               size radii, size max norms, size min bars
 * bucket:       byte 1, long parent, int dim, int size, bool hasBars, int head,
 *               size ids (StringValue), size·dim vector floats, size norms,
 *               [size bars], [size·head head floats, size tails]
 * </pre>
 *
 * Only the live entries are written, never the spare room of the arrays. A routing node keeps its
 * capacity (its arrays never grow and the tree fills them up to fan-out + 1 before a split); a
 * bucket is read back with room for one more point, the common next write. Ids go through {@link
 * StringValue} as Flink's own {@code StringSerializer} does: unlike {@code writeUTF} it has no 64
 * KB limit.
 *
 * <pre>{@code
 * MapStateDescriptor<Long, Node> nodes =
 *     new MapStateDescriptor<>("simjoin-tree-nodes-items", LongSerializer.INSTANCE,
 *         NodeSerializer.INSTANCE);
 * }</pre>
 */
public final class NodeSerializer extends TypeSerializerSingleton<Node> {
  private static final long serialVersionUID = 1L;

  /** The shared instance; the serializer holds no state, so every thread may use it. */
  public static final NodeSerializer INSTANCE = new NodeSerializer();

  static final byte ROUTING = 0;
  static final byte BUCKET = 1;

  @Override
  public boolean isImmutableType() {
    return false;
  }

  /** An empty bucket of dimension 1: Flink asks for an instance; nodes are never reused. */
  @Override
  public Node createInstance() {
    return new Bucket(1, 1, false, 0, 0L);
  }

  /** A deep copy: the heap backend copies on write during a snapshot and must not share arrays. */
  @Override
  public Node copy(Node from) {
    return from.copy();
  }

  @Override
  public Node copy(Node from, Node reuse) {
    return from.copy();
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Node node, DataOutputView out) throws IOException {
    if (node instanceof RoutingNode r) {
      out.writeByte(ROUTING);
      writeRouting(r, out);
    } else if (node instanceof Bucket b) {
      out.writeByte(BUCKET);
      writeBucket(b, out);
    } else {
      throw new IllegalArgumentException("unknown node type " + node);
    }
  }

  @Override
  public Node deserialize(DataInputView in) throws IOException {
    byte tag = in.readByte();
    switch (tag) {
      case ROUTING:
        return readRouting(in);
      case BUCKET:
        return readBucket(in);
      default:
        throw new IOException("corrupt node record: unknown tag " + tag);
    }
  }

  @Override
  public Node deserialize(Node reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<Node> snapshotConfiguration() {
    return new NodeSerializerSnapshot();
  }

  /**
   * The exact number of bytes {@link #serialize} writes for {@code node}, computed without
   * serializing it: what {@link MapStateNodeStore} counts as state bytes read and written.
   */
  public static long serializedSize(Node node) {
    if (node instanceof RoutingNode r) {
      long n = r.size();
      // tag, parent, dim, capacity, size; per entry id and flag; centres, radii, norms, bars
      return 1 + 8 + 4 + 4 + 4 + n * 9 + 4L * n * r.dimension() + 12 * n;
    }
    Bucket b = (Bucket) node;
    long n = b.size();
    long bytes = 1 + 8 + 4 + 4 + 1 + 4;
    for (int i = 0; i < n; i++) {
      bytes += stringSize(b.id(i));
    }
    bytes += 4L * n * b.dimension() + 4 * n;
    if (b.hasBars()) {
      bytes += 4 * n;
    }
    if (b.head() > 0) {
      bytes += 4L * n * b.head() + 4 * n;
    }
    return bytes;
  }

  /**
   * Bytes {@link StringValue#writeString} writes for {@code s}: its length plus one, then every
   * char, each as a 7-bit varint.
   */
  static long stringSize(String s) {
    long bytes = varintSize(s.length() + 1);
    for (int i = 0; i < s.length(); i++) {
      bytes += varintSize(s.charAt(i));
    }
    return bytes;
  }

  private static int varintSize(int v) {
    int bytes = 1;
    while (v >= 0x80) {
      v >>>= 7;
      bytes++;
    }
    return bytes;
  }

  // ---------------------------------------------------------------- routing nodes

  private static void writeRouting(RoutingNode r, DataOutputView out) throws IOException {
    int dim = r.dimension();
    int n = r.size();
    out.writeLong(r.parent());
    out.writeInt(dim);
    out.writeInt(r.capacity());
    out.writeInt(n);
    for (int e = 0; e < n; e++) {
      out.writeLong(r.childId(e));
      out.writeBoolean(r.childIsBucket(e));
    }
    byte[] scratch = FloatBlocks.scratch(n * dim);
    FloatBlocks.write(out, r.centres(), 0, n * dim, scratch);
    for (int e = 0; e < n; e++) {
      out.writeInt(Float.floatToRawIntBits(r.radius(e)));
    }
    for (int e = 0; e < n; e++) {
      out.writeInt(Float.floatToRawIntBits(r.maxNorm(e)));
    }
    for (int e = 0; e < n; e++) {
      out.writeInt(Float.floatToRawIntBits(r.minBar(e)));
    }
  }

  private static RoutingNode readRouting(DataInputView in) throws IOException {
    long parent = in.readLong();
    int dim = in.readInt();
    int capacity = in.readInt();
    int n = in.readInt();
    if (dim < 1 || n < 0 || capacity < n) {
      throw new IOException(
          "corrupt routing node: dim " + dim + ", capacity " + capacity + ", size " + n);
    }
    long[] ids = new long[n];
    boolean[] isBucket = new boolean[n];
    for (int e = 0; e < n; e++) {
      ids[e] = in.readLong();
      isBucket[e] = in.readBoolean();
    }
    float[] centres = new float[Math.multiplyExact(n, dim)];
    FloatBlocks.read(in, centres, 0, centres.length, FloatBlocks.scratch(centres.length));
    float[] radii = readFloats(in, n);
    float[] maxNorms = readFloats(in, n);
    float[] minBars = readFloats(in, n);
    RoutingNode r = new RoutingNode(dim, capacity, parent);
    for (int e = 0; e < n; e++) {
      r.addEntry(ids[e], isBucket[e], centres, e * dim, radii[e], maxNorms[e], minBars[e]);
    }
    return r;
  }

  // ---------------------------------------------------------------- buckets

  private static void writeBucket(Bucket b, DataOutputView out) throws IOException {
    int dim = b.dimension();
    int n = b.size();
    int head = b.head();
    out.writeLong(b.parent());
    out.writeInt(dim);
    out.writeInt(n);
    out.writeBoolean(b.hasBars());
    out.writeInt(head);
    for (int i = 0; i < n; i++) {
      StringValue.writeString(b.id(i), out);
    }
    byte[] scratch = FloatBlocks.scratch(n * Math.max(dim, head));
    FloatBlocks.write(out, b.vectors(), 0, n * dim, scratch);
    for (int i = 0; i < n; i++) {
      out.writeInt(Float.floatToRawIntBits(b.norm(i)));
    }
    if (b.hasBars()) {
      for (int i = 0; i < n; i++) {
        out.writeInt(Float.floatToRawIntBits(b.bar(i)));
      }
    }
    if (head > 0) {
      FloatBlocks.write(out, b.heads(), 0, n * head, scratch);
      for (int i = 0; i < n; i++) {
        out.writeInt(Float.floatToRawIntBits(b.tail(i)));
      }
    }
  }

  private static Bucket readBucket(DataInputView in) throws IOException {
    long parent = in.readLong();
    int dim = in.readInt();
    int n = in.readInt();
    boolean hasBars = in.readBoolean();
    int head = in.readInt();
    if (dim < 1 || n < 0 || head < 0) {
      throw new IOException("corrupt bucket: dim " + dim + ", size " + n + ", head " + head);
    }
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = StringValue.readString(in);
    }
    byte[] scratch = FloatBlocks.scratch(n * Math.max(dim, head));
    float[] vectors = new float[Math.multiplyExact(n, dim)];
    FloatBlocks.read(in, vectors, 0, vectors.length, scratch);
    float[] norms = readFloats(in, n);
    float[] bars = hasBars ? readFloats(in, n) : null;
    float[] heads = null;
    float[] tails = null;
    if (head > 0) {
      heads = new float[Math.multiplyExact(n, head)];
      FloatBlocks.read(in, heads, 0, heads.length, scratch);
      tails = readFloats(in, n);
    }
    Bucket b = new Bucket(dim, n + 1, hasBars, head, parent);
    try {
      for (int i = 0; i < n; i++) {
        b.append(
            ids[i],
            vectors,
            i * dim,
            norms[i],
            hasBars ? bars[i] : Float.NEGATIVE_INFINITY,
            heads,
            i * head,
            head > 0 ? tails[i] : 0f);
      }
    } catch (IllegalArgumentException e) {
      // append refuses a point out of norm order: the record is not one a tree wrote.
      throw new IOException("corrupt bucket: " + e.getMessage(), e);
    }
    return b;
  }

  private static float[] readFloats(DataInputView in, int n) throws IOException {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = Float.intBitsToFloat(in.readInt());
    }
    return a;
  }

  /**
   * The versioned snapshot of {@link NodeSerializer}. The version Flink stores with it is the node
   * format version: a format change bumps {@link #CURRENT_VERSION}, keeps a reader for the old
   * format in {@link #restoreSerializer()} and answers "compatible after migration" for old
   * snapshots, so Flink rewrites the state in the new format on restore. The class name is written
   * into every checkpoint: do not move or rename it.
   */
  public static final class NodeSerializerSnapshot extends VersionedSerializerSnapshot<Node> {
    /** Version of the node format written by the serializer. */
    public static final int CURRENT_VERSION = 1;

    /** For Flink, which instantiates snapshots by reflection before {@link #readSnapshot}. */
    public NodeSerializerSnapshot() {
      super(CURRENT_VERSION);
    }

    /** Format 1 is the only one so far: its reader is the serializer itself. */
    @Override
    protected TypeSerializer<Node> serializerForFormat(int format) {
      return INSTANCE;
    }
  }
}
