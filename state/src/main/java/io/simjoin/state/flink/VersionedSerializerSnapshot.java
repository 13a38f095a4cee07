package io.simjoin.state.flink;

import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of every simjoin serializer (tree nodes, tree meta, events, join state): records
 * which version of the type's binary format the serializer wrote, so that a later simjoin can still
 * read state and savepoints written by this one.
 *
 * <p>Two versions are kept apart. The <em>snapshot</em> version ({@link #getCurrentVersion()})
 * numbers the layout of this snapshot itself; the <em>format</em> version, stored in the snapshot,
 * numbers the layout of the serialized events. When an event's format changes, its serializer bumps
 * its format version and keeps a reader for the old one: {@link #restoreSerializer()} returns the
 * reader for the format that was written, and {@link #resolveSchemaCompatibility} asks Flink to
 * migrate (read old, write new). Flink's {@code SimpleTypeSerializerSnapshot} has no such number,
 * so a format change there would need a new serializer class.
 *
 * @param <T> the serialized type
 */
@PublicEvolving
public abstract class VersionedSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {

  private static final int SNAPSHOT_VERSION = 1;

  private final int currentFormat;
  private int format;

  /**
   * @param currentFormat the format version the current serializer writes
   */
  protected VersionedSerializerSnapshot(int currentFormat) {
    this.currentFormat = currentFormat;
    this.format = currentFormat;
  }

  /** A serializer that reads {@code format} (one of 1 .. current) and writes the current format. */
  protected abstract TypeSerializer<T> serializerForFormat(int format);

  /** The format version of the serializer this snapshot describes. */
  public final int formatVersion() {
    return format;
  }

  @Override
  public final int getCurrentVersion() {
    return SNAPSHOT_VERSION;
  }

  @Override
  public final void writeSnapshot(DataOutputView out) throws IOException {
    out.writeInt(format);
  }

  @Override
  public final void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
      throws IOException {
    if (readVersion != SNAPSHOT_VERSION) {
      throw new IOException(
          getClass().getName()
              + ": snapshot version "
              + readVersion
              + " is unknown (this version reads "
              + SNAPSHOT_VERSION
              + "); the state was written by a newer simjoin");
    }
    int read = in.readInt();
    if (read < 1 || read > currentFormat) {
      throw new IOException(
          getClass().getName()
              + ": format version "
              + read
              + " is unknown (this version reads 1 to "
              + currentFormat
              + "); the state was written by a newer simjoin, or is corrupt");
    }
    format = read;
  }

  @Override
  public final TypeSerializer<T> restoreSerializer() {
    return serializerForFormat(format);
  }

  @Override
  public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
      TypeSerializerSnapshot<T> oldSerializerSnapshot) {
    if (oldSerializerSnapshot == null || oldSerializerSnapshot.getClass() != getClass()) {
      return TypeSerializerSchemaCompatibility.incompatible();
    }
    int oldFormat = ((VersionedSerializerSnapshot<T>) oldSerializerSnapshot).format;
    if (oldFormat == format) {
      return TypeSerializerSchemaCompatibility.compatibleAsIs();
    }
    return oldFormat < format
        ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
        : TypeSerializerSchemaCompatibility.incompatible();
  }
}
