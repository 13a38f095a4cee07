package io.simjoin.operators.join;

import io.simjoin.operators.events.EventSerializer;
import io.simjoin.state.Match;
import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link PartialTopK}. Format 1: namespace, queryId (Flink string encoding),
 * shard (int), epoch (long), timestamp (long), kind (byte: the cause, or {@value #CANCEL_MARK} for
 * a cancel mark), itemId (nullable string), k (int), the number of matches (int), then per match
 * its id and score (float).
 *
 * <pre>{@code
 * TypeSerializer<PartialTopK> s = PartialTopKSerializer.INSTANCE; // what JoinTypeInfo hands Flink
 * }</pre>
 */
@PublicEvolving
public final class PartialTopKSerializer extends EventSerializer<PartialTopK> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 1;

  static final byte CANCEL_MARK = 4;

  /** The serializer; it is stateless, so one instance serves every thread. */
  public static final PartialTopKSerializer INSTANCE = new PartialTopKSerializer();

  private static final PartialTopK EMPTY = PartialTopK.cancelMark("", "", 0, 0L, 0L);

  private PartialTopKSerializer() {}

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public PartialTopK copy(PartialTopK from) {
    return from;
  }

  @Override
  public PartialTopK createInstance() {
    return EMPTY;
  }

  @Override
  public void serialize(PartialTopK p, DataOutputView out) throws IOException {
    JoinWire.writeString(p.namespace(), out);
    JoinWire.writeString(p.queryId(), out);
    out.writeInt(p.shard());
    out.writeLong(p.epoch());
    out.writeLong(p.timestamp());
    out.writeByte(p.isCancelMark() ? CANCEL_MARK : causeCode(p.cause()));
    JoinWire.writeString(p.itemId(), out);
    out.writeInt(p.k());
    JoinWire.writeMatches(p.matches(), out);
  }

  @Override
  public PartialTopK deserialize(DataInputView in) throws IOException {
    String namespace = JoinWire.readString(in);
    String queryId = JoinWire.readString(in);
    int shard = in.readInt();
    long epoch = in.readLong();
    long timestamp = in.readLong();
    byte kind = in.readByte();
    boolean cancelMark = kind == CANCEL_MARK;
    JoinOutput.Cause cause = cancelMark ? null : cause(kind);
    String itemId = JoinWire.readString(in);
    int k = in.readInt();
    List<Match> matches = JoinWire.readMatches(in);
    return PartialTopK.trusted(
        namespace, queryId, shard, epoch, k, matches, cause, itemId, cancelMark, timestamp);
  }

  /** Explicit codes: the enum's order is not part of the format. */
  static byte causeCode(JoinOutput.Cause cause) {
    return switch (cause) {
      case ONCE -> 0;
      case REGISTERED -> 1;
      case ITEM_UPSERTED -> 2;
      case ITEM_DELETED -> 3;
    };
  }

  static JoinOutput.Cause cause(byte code) throws IOException {
    return switch (code) {
      case 0 -> JoinOutput.Cause.ONCE;
      case 1 -> JoinOutput.Cause.REGISTERED;
      case 2 -> JoinOutput.Cause.ITEM_UPSERTED;
      case 3 -> JoinOutput.Cause.ITEM_DELETED;
      default -> throw JoinWire.corrupt("unknown PartialTopK kind " + code);
    };
  }

  @Override
  public TypeSerializerSnapshot<PartialTopK> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link PartialTopKSerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<PartialTopK> {
    /** For Flink, which instantiates snapshots reflectively when it restores. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    @Override
    protected TypeSerializer<PartialTopK> serializerForFormat(int format) {
      return INSTANCE;
    }
  }
}
