package io.simjoin.operators.events;

import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link TopKUpdate}. Format 1: namespace, queryId (Flink string encoding),
 * seq (long), timestamp (long), cause kind (byte) and, for item causes, the item id; the number of
 * matches (int), then per match its item id and score (float).
 */
@PublicEvolving
public final class TopKUpdateSerializer extends EventSerializer<TopKUpdate> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 1;

  /** The serializer; it is stateless, so one instance serves every thread. */
  public static final TopKUpdateSerializer INSTANCE = new TopKUpdateSerializer();

  private static final TopKUpdate EMPTY =
      TopKUpdate.of("", "", 0L, List.of(), UpdateCause.once(), 0L);

  private TopKUpdateSerializer() {}

  @Override
  public TopKUpdate createInstance() {
    return EMPTY;
  }

  @Override
  public void serialize(TopKUpdate u, DataOutputView out) throws IOException {
    Wire.writeString(u.namespace(), out);
    Wire.writeString(u.queryId(), out);
    out.writeLong(u.seq());
    out.writeLong(u.timestamp());
    UpdateCause cause = u.cause();
    out.writeByte(kindCode(cause.kind()));
    if (cause.kind().hasItem()) {
      Wire.writeString(cause.itemId(), out);
    }
    List<ScoredItem> matches = u.matches();
    out.writeInt(matches.size());
    for (ScoredItem m : matches) {
      Wire.writeString(m.itemId(), out);
      out.writeFloat(m.score());
    }
  }

  @Override
  public TopKUpdate deserialize(DataInputView in) throws IOException {
    String namespace = Wire.readString(in);
    String queryId = Wire.readString(in);
    long seq = in.readLong();
    long timestamp = in.readLong();
    UpdateCause.Kind kind = kind(in.readByte());
    UpdateCause cause = new UpdateCause(kind, kind.hasItem() ? Wire.readString(in) : null);
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("Corrupt record: " + n + " matches");
    }
    List<ScoredItem> matches = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      matches.add(new ScoredItem(Wire.readString(in), in.readFloat()));
    }
    return TopKUpdate.trusted(
        namespace, queryId, seq, Collections.unmodifiableList(matches), cause, timestamp);
  }

  static byte kindCode(UpdateCause.Kind kind) {
    return switch (kind) {
      case ONCE -> 0;
      case REGISTERED -> 1;
      case ITEM_UPSERTED -> 2;
      case ITEM_DELETED -> 3;
      case CANCELLED -> 4;
    };
  }

  static UpdateCause.Kind kind(byte code) throws IOException {
    return switch (code) {
      case 0 -> UpdateCause.Kind.ONCE;
      case 1 -> UpdateCause.Kind.REGISTERED;
      case 2 -> UpdateCause.Kind.ITEM_UPSERTED;
      case 3 -> UpdateCause.Kind.ITEM_DELETED;
      case 4 -> UpdateCause.Kind.CANCELLED;
      default -> throw Wire.unknownCode("UpdateCause.Kind", code);
    };
  }

  @Override
  public TypeSerializerSnapshot<TopKUpdate> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link TopKUpdateSerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<TopKUpdate> {
    /** For Flink, which instantiates snapshots reflectively when it restores. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    @Override
    protected TypeSerializer<TopKUpdate> serializerForFormat(int format) {
      return INSTANCE;
    }
  }
}
