package io.simjoin.operators.join;

import io.simjoin.state.Match;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/** Field encodings shared by the join's serializers. */
final class JoinWire {

  /** The count written for a null list: a shard that has not answered yet. */
  static final int NULL_LIST = -1;

  /** Caps what a count read from the wire may allocate before its entries are actually there. */
  private static final int MAX_PREALLOCATED = 1024;

  private JoinWire() {}

  /** Flink's string encoding: no 64 KB limit (unlike {@code writeUTF}), null in one byte. */
  static void writeString(String s, DataOutputView out) throws IOException {
    StringValue.writeString(s, out);
  }

  static String readString(DataInputView in) throws IOException {
    return StringValue.readString(in);
  }

  /** The count, then each match's id and score. */
  static void writeMatches(List<Match> matches, DataOutputView out) throws IOException {
    out.writeInt(matches.size());
    writeEntries(matches, out);
  }

  /** As {@link #writeMatches}, with {@link #NULL_LIST} for null. */
  static void writeNullableMatches(List<Match> matches, DataOutputView out) throws IOException {
    if (matches == null) {
      out.writeInt(NULL_LIST);
      return;
    }
    writeMatches(matches, out);
  }

  private static void writeEntries(List<Match> matches, DataOutputView out) throws IOException {
    for (Match m : matches) {
      writeString(m.id(), out);
      out.writeFloat(m.score());
    }
  }

  /** An unmodifiable list, so a copy of state that holds it may share it. */
  static List<Match> readMatches(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw corrupt(n + " matches");
    }
    return readEntries(n, in);
  }

  static List<Match> readNullableMatches(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n == NULL_LIST) {
      return null;
    }
    if (n < 0) {
      throw corrupt(n + " matches");
    }
    return readEntries(n, in);
  }

  private static List<Match> readEntries(int n, DataInputView in) throws IOException {
    List<Match> list = new ArrayList<>(Math.min(n, MAX_PREALLOCATED));
    for (int i = 0; i < n; i++) {
      String id = readString(in);
      if (id == null) {
        throw corrupt("null match id");
      }
      list.add(new Match(id, in.readFloat()));
    }
    // List.copyOf of this list is then a no-op: copies of state share the lists they hold.
    return List.copyOf(list);
  }

  static IOException corrupt(String what) {
    return new IOException("Corrupt state or record, or a newer format: " + what + ".");
  }
}
