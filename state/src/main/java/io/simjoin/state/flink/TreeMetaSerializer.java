package io.simjoin.state.flink;

import io.simjoin.state.Basis;
import io.simjoin.state.TreeMeta;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The Flink serializer of a tree's {@link TreeMeta}: the type of the meta {@code ValueState} of
 * {@link MapStateNodeStore}. Hand-written and versioned through {@link TreeMetaSerializerSnapshot}.
 *
 * <p>Format 1: {@code int dimension, long size, long nextNodeId, long nextLearnAt, bool hasBasis}
 * and, with a basis, {@code int basisDimension, int head, head·basisDimension doubles} (the basis
 * rows, row-major, in double precision as the tree keeps them).
 *
 * <pre>{@code
 * ValueStateDescriptor<TreeMeta> meta =
 *     new ValueStateDescriptor<>("simjoin-tree-meta-items", TreeMetaSerializer.INSTANCE);
 * }</pre>
 */
public final class TreeMetaSerializer extends TypeSerializerSingleton<TreeMeta> {
  private static final long serialVersionUID = 1L;

  /** The shared instance; the serializer holds no state. */
  public static final TreeMetaSerializer INSTANCE = new TreeMetaSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TreeMeta createInstance() {
    return new TreeMeta(1, 0, 1, 0, null);
  }

  /** A deep copy, basis rows included, so a copy shares nothing with its original. */
  @Override
  public TreeMeta copy(TreeMeta from) {
    Basis b = from.basis();
    Basis basis = b == null ? null : new Basis(b.dimension(), b.head(), b.rows().clone());
    return new TreeMeta(
        from.dimension(), from.size(), from.nextNodeId(), from.nextLearnAt(), basis);
  }

  @Override
  public TreeMeta copy(TreeMeta from, TreeMeta reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  /** The exact number of bytes {@link #serialize} writes for {@code meta}. */
  public static long serializedSize(TreeMeta meta) {
    Basis b = meta.basis();
    return 4 + 8 + 8 + 8 + 1 + (b == null ? 0 : 4 + 4 + 8L * b.rows().length);
  }

  @Override
  public void serialize(TreeMeta meta, DataOutputView out) throws IOException {
    out.writeInt(meta.dimension());
    out.writeLong(meta.size());
    out.writeLong(meta.nextNodeId());
    out.writeLong(meta.nextLearnAt());
    Basis b = meta.basis();
    out.writeBoolean(b != null);
    if (b != null) {
      out.writeInt(b.dimension());
      out.writeInt(b.head());
      for (double x : b.rows()) {
        out.writeLong(Double.doubleToRawLongBits(x));
      }
    }
  }

  @Override
  public TreeMeta deserialize(DataInputView in) throws IOException {
    int dimension = in.readInt();
    long size = in.readLong();
    long nextNodeId = in.readLong();
    long nextLearnAt = in.readLong();
    Basis basis = null;
    if (in.readBoolean()) {
      int dim = in.readInt();
      int head = in.readInt();
      if (dim < 1 || head < 0) {
        throw new IOException("corrupt tree meta: basis of dimension " + dim + ", head " + head);
      }
      double[] rows = new double[Math.multiplyExact(dim, head)];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = Double.longBitsToDouble(in.readLong());
      }
      basis = new Basis(dim, head, rows);
    }
    return new TreeMeta(dimension, size, nextNodeId, nextLearnAt, basis);
  }

  @Override
  public TreeMeta deserialize(TreeMeta reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<TreeMeta> snapshotConfiguration() {
    return new TreeMetaSerializerSnapshot();
  }

  /**
   * The versioned snapshot of {@link TreeMetaSerializer}; versions work as for {@link
   * NodeSerializer.NodeSerializerSnapshot}. The class name is in every checkpoint: do not move it.
   */
  public static final class TreeMetaSerializerSnapshot
      extends VersionedSerializerSnapshot<TreeMeta> {
    /** Version of the tree meta format written by the serializer. */
    public static final int CURRENT_VERSION = 1;

    /** For Flink, which instantiates snapshots by reflection before {@link #readSnapshot}. */
    public TreeMetaSerializerSnapshot() {
      super(CURRENT_VERSION);
    }

    /** Format 1 is the only one so far: its reader is the serializer itself. */
    @Override
    protected TypeSerializer<TreeMeta> serializerForFormat(int format) {
      return INSTANCE;
    }
  }
}
