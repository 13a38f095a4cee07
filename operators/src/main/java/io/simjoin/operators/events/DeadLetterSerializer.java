package io.simjoin.operators.events;

import io.simjoin.state.flink.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link DeadLetter}. Format 2: reason (byte), message (Flink string
 * encoding), timestamp (long), subject (byte), then the item in {@link ItemEventSerializer}'s
 * format, the query in {@link QueryEventSerializer}'s, or the record (int length, bytes) and its
 * origin. Format 1 had no origins.
 *
 * <p>The format embeds the item and query formats: a change to either is a change to this one.
 */
@PublicEvolving
public final class DeadLetterSerializer extends EventSerializer<DeadLetter> {

  private static final long serialVersionUID = 1L;

  /** The binary format written; bump it, and keep a reader for the old one, on any change. */
  static final int FORMAT_VERSION = 2;

  /** The serializer; it is stateless, so one instance serves every thread. */
  public static final DeadLetterSerializer INSTANCE = new DeadLetterSerializer();

  private static final DeadLetter EMPTY = DeadLetter.undecodable(new byte[0], "empty", 0L);

  private DeadLetterSerializer() {}

  @Override
  public DeadLetter createInstance() {
    return EMPTY;
  }

  @Override
  public void serialize(DeadLetter d, DataOutputView out) throws IOException {
    out.writeByte(reasonCode(d.reason()));
    Wire.writeString(d.message(), out);
    out.writeLong(d.timestamp());
    out.writeByte(subjectCode(d.subject()));
    switch (d.subject()) {
      case ITEM -> ItemEventSerializer.INSTANCE.serialize(d.item().orElseThrow(), out);
      case QUERY -> QueryEventSerializer.INSTANCE.serialize(d.query().orElseThrow(), out);
      case RECORD -> {
        byte[] record = d.recordNoCopy();
        out.writeInt(record.length);
        out.write(record);
        Wire.writeOrigin(d.recordOrigin(), out);
      }
    }
  }

  @Override
  public DeadLetter deserialize(DataInputView in) throws IOException {
    return read(in, FORMAT_VERSION);
  }

  static DeadLetter read(DataInputView in, int format) throws IOException {
    DeadLetter.Reason reason = reason(in.readByte());
    String message = Wire.readString(in);
    long timestamp = in.readLong();
    DeadLetter.Subject subject = subject(in.readByte());
    ItemEvent item = null;
    QueryEvent query = null;
    byte[] record = null;
    Origin origin = null;
    switch (subject) {
      case ITEM -> item = ItemEventSerializer.read(in, format);
      case QUERY -> query = QueryEventSerializer.read(in, format);
      case RECORD -> {
        int n = in.readInt();
        if (n < 0) {
          throw new IOException("Corrupt record: dead-letter record of " + n + " bytes");
        }
        record = new byte[n];
        in.readFully(record);
        origin = format >= 2 ? Wire.readOrigin(in) : null;
      }
    }
    return DeadLetter.trusted(reason, message, subject, item, query, record, origin, timestamp);
  }

  /** Codes, not ordinals: reordering or adding reasons must not change what is on disk. */
  static byte reasonCode(DeadLetter.Reason reason) {
    return switch (reason) {
      case UNDECODABLE -> 0;
      case EMPTY_NAMESPACE -> 1;
      case EMPTY_ID -> 2;
      case MISSING_VECTOR -> 3;
      case EMPTY_VECTOR -> 4;
      case DIMENSION_TOO_LARGE -> 5;
      case NON_FINITE_COMPONENT -> 6;
      case DIMENSION_MISMATCH -> 7;
      case K_NOT_POSITIVE -> 8;
      case K_TOO_LARGE -> 9;
      case THRESHOLD_NAN -> 10;
      case UNKNOWN_ITEM -> 11;
      case UNKNOWN_QUERY -> 12;
      case TOO_MANY_STANDING_QUERIES -> 13;
      case INVALID_NAMESPACE -> 14;
    };
  }

  static DeadLetter.Reason reason(byte code) throws IOException {
    for (DeadLetter.Reason r : DeadLetter.Reason.values()) {
      if (reasonCode(r) == code) {
        return r;
      }
    }
    throw Wire.unknownCode("DeadLetter.Reason", code);
  }

  static byte subjectCode(DeadLetter.Subject subject) {
    return switch (subject) {
      case ITEM -> 0;
      case QUERY -> 1;
      case RECORD -> 2;
    };
  }

  static DeadLetter.Subject subject(byte code) throws IOException {
    return switch (code) {
      case 0 -> DeadLetter.Subject.ITEM;
      case 1 -> DeadLetter.Subject.QUERY;
      case 2 -> DeadLetter.Subject.RECORD;
      default -> throw Wire.unknownCode("DeadLetter.Subject", code);
    };
  }

  @Override
  public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The versioned snapshot of {@link DeadLetterSerializer}. */
  public static final class Snapshot extends VersionedSerializerSnapshot<DeadLetter> {
    /** For Flink, which instantiates snapshots reflectively when it restores. */
    public Snapshot() {
      super(FORMAT_VERSION);
    }

    @Override
    protected TypeSerializer<DeadLetter> serializerForFormat(int format) {
      return format == FORMAT_VERSION ? INSTANCE : new OldFormatReader(format);
    }
  }

  /** Reads an older format (in-flight records of an unaligned checkpoint), writes the current. */
  static final class OldFormatReader extends EventSerializer<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private final int format;

    OldFormatReader(int format) {
      this.format = format;
    }

    @Override
    public DeadLetter createInstance() {
      return INSTANCE.createInstance();
    }

    @Override
    public void serialize(DeadLetter d, DataOutputView out) throws IOException {
      INSTANCE.serialize(d, out);
    }

    @Override
    public DeadLetter deserialize(DataInputView in) throws IOException {
      return read(in, format);
    }

    @Override
    public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
      return new Snapshot();
    }
  }
}
