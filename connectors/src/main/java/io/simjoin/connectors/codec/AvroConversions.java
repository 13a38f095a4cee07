package io.simjoin.connectors.codec;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.Origin;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import io.simjoin.schemas.avro.DeadLetterSubject;
import io.simjoin.schemas.avro.ItemOp;
import io.simjoin.schemas.avro.Match;
import io.simjoin.schemas.avro.QueryOp;
import java.nio.ByteBuffer;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.generic.PrimitivesArrays;

/**
 * Between simjoin's operator events and the generated Avro records: the operators never see Avro
 * types, and the Avro types never reach Flink state. Decoding follows the {@link EventCodec}
 * contract: what the operator types can hold is kept as it came (the validator judges it); what
 * they cannot is a {@link DecodeException}.
 */
final class AvroConversions {

  private AvroConversions() {}

  // ---- to Avro ----

  static io.simjoin.schemas.avro.ItemEvent toAvro(ItemEvent e) {
    return new io.simjoin.schemas.avro.ItemEvent(
        orEmpty(e.namespace()),
        orEmpty(e.id()),
        e.op() == ItemEvent.Op.UPSERT ? ItemOp.UPSERT : ItemOp.DELETE,
        e.hasVector() ? new FloatList(e::component, e.dimension()) : null,
        e.timestamp());
  }

  static io.simjoin.schemas.avro.QueryEvent toAvro(QueryEvent q) {
    return new io.simjoin.schemas.avro.QueryEvent(
        orEmpty(q.namespace()),
        orEmpty(q.id()),
        QueryOp.valueOf(q.op().name()),
        q.hasVector() ? new FloatList(q::component, q.dimension()) : null,
        q.k(),
        q.thresholdOrNull(),
        q.timestamp());
  }

  static io.simjoin.schemas.avro.TopKUpdate toAvro(TopKUpdate u) {
    List<Match> matches = new ArrayList<>(u.matches().size());
    for (ScoredItem m : u.matches()) {
      matches.add(new Match(m.itemId(), m.score()));
    }
    return new io.simjoin.schemas.avro.TopKUpdate(
        u.namespace(),
        u.queryId(),
        u.seq(),
        matches,
        io.simjoin.schemas.avro.UpdateCause.valueOf(u.cause().kind().name()),
        u.cause().itemId(),
        u.timestamp());
  }

  static io.simjoin.schemas.avro.ThresholdMatch toAvro(ThresholdMatch m) {
    return new io.simjoin.schemas.avro.ThresholdMatch(
        m.namespace(), m.queryId(), m.itemId(), m.score(), m.isRetraction(), m.timestamp());
  }

  static io.simjoin.schemas.avro.DeadLetter toAvro(DeadLetter d) {
    Optional<Origin> origin = d.origin();
    return new io.simjoin.schemas.avro.DeadLetter(
        d.reason().name(),
        d.message(),
        DeadLetterSubject.valueOf(d.subject().name()),
        d.item().map(AvroConversions::toAvro).orElse(null),
        d.query().map(AvroConversions::toAvro).orElse(null),
        d.record().map(ByteBuffer::wrap).orElse(null),
        origin.map(Origin::topic).orElse(null),
        origin.map(Origin::partition).orElse(null),
        origin.map(Origin::offset).orElse(null),
        d.timestamp());
  }

  /**
   * A decoder-built event may lack a namespace or id (the validator rejects it as EMPTY_*); Avro
   * strings cannot be null, and an encoder in a sink must not fail the job, so it goes out empty,
   * which the validator treats the same.
   */
  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** A vector as Avro's {@code array<float>}, without copying it. */
  private static final class FloatList extends AbstractList<Float> {
    interface Components {
      float get(int i);
    }

    private final Components components;
    private final int size;

    FloatList(Components components, int size) {
      this.components = components;
      this.size = size;
    }

    @Override
    public Float get(int i) {
      return components.get(i);
    }

    @Override
    public int size() {
      return size;
    }
  }

  // ---- from Avro ----

  static ItemEvent fromAvro(io.simjoin.schemas.avro.ItemEvent a, long recordTimestamp) {
    return ItemEvent.of(
        a.getNamespace(),
        a.getId(),
        a.getOp() == ItemOp.UPSERT ? ItemEvent.Op.UPSERT : ItemEvent.Op.DELETE,
        floats(a.getVector()),
        a.getTimestamp() == null ? recordTimestamp : a.getTimestamp());
  }

  static QueryEvent fromAvro(io.simjoin.schemas.avro.QueryEvent a, long recordTimestamp) {
    return QueryEvent.of(
        a.getNamespace(),
        a.getId(),
        QueryEvent.Op.valueOf(a.getOp().name()),
        floats(a.getVector()),
        a.getK(),
        a.getThreshold(),
        a.getTimestamp() == null ? recordTimestamp : a.getTimestamp());
  }

  static TopKUpdate fromAvro(io.simjoin.schemas.avro.TopKUpdate a) throws DecodeException {
    if (a.getCause() == io.simjoin.schemas.avro.UpdateCause.UNKNOWN) {
      throw new DecodeException(
          "the update's cause is one this simjoin does not know (read as UNKNOWN): the writer is"
              + " probably a newer simjoin; upgrade this reader");
    }
    List<ScoredItem> matches = new ArrayList<>(a.getMatches().size());
    try {
      for (Match m : a.getMatches()) {
        matches.add(new ScoredItem(m.getItemId(), m.getScore()));
      }
      UpdateCause cause =
          new UpdateCause(UpdateCause.Kind.valueOf(a.getCause().name()), a.getCauseItemId());
      return TopKUpdate.of(
          a.getNamespace(), a.getQueryId(), a.getSeq(), matches, cause, a.getTimestamp());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new DecodeException("not a valid TopKUpdate: " + e.getMessage(), e);
    }
  }

  static ThresholdMatch fromAvro(io.simjoin.schemas.avro.ThresholdMatch a) {
    return ThresholdMatch.of(
        a.getNamespace(),
        a.getQueryId(),
        a.getItemId(),
        a.getScore(),
        a.getRetraction(),
        a.getTimestamp());
  }

  static DeadLetter fromAvro(io.simjoin.schemas.avro.DeadLetter a) throws DecodeException {
    DeadLetter.Reason reason;
    try {
      reason = DeadLetter.Reason.valueOf(a.getReason());
    } catch (IllegalArgumentException e) {
      throw new DecodeException(
          "the dead letter's reason '"
              + a.getReason()
              + "' is not one this simjoin knows: the writer is probably a newer simjoin; upgrade"
              + " this reader",
          e);
    }
    Origin origin = origin(a);
    try {
      return switch (a.getSubject()) {
        case ITEM -> {
          require(a.getItem() != null, "subject ITEM without an item");
          ItemEvent item = fromAvro(a.getItem(), a.getTimestamp());
          yield DeadLetter.forItem(reason, a.getMessage(), item.withOrigin(origin));
        }
        case QUERY -> {
          require(a.getQuery() != null, "subject QUERY without a query");
          QueryEvent query = fromAvro(a.getQuery(), a.getTimestamp());
          yield DeadLetter.forQuery(reason, a.getMessage(), query.withOrigin(origin));
        }
        case RECORD -> {
          require(reason == DeadLetter.Reason.UNDECODABLE, "subject RECORD with reason " + reason);
          yield DeadLetter.undecodable(
              bytes(a.getRecord()), a.getMessage(), a.getTimestamp(), origin);
        }
        case UNKNOWN ->
            throw new DecodeException(
                "the dead letter's subject is one this simjoin does not know (read as UNKNOWN):"
                    + " the writer is probably a newer simjoin; upgrade this reader");
      };
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new DecodeException("not a valid DeadLetter: " + e.getMessage(), e);
    }
  }

  private static Origin origin(io.simjoin.schemas.avro.DeadLetter a) throws DecodeException {
    if (a.getTopic() == null && a.getPartition() == null && a.getOffset() == null) {
      return null;
    }
    if (a.getTopic() == null || a.getPartition() == null || a.getOffset() == null) {
      throw new DecodeException(
          "not a valid DeadLetter: its origin is incomplete (topic "
              + a.getTopic()
              + ", partition "
              + a.getPartition()
              + ", offset "
              + a.getOffset()
              + "); set all three or none");
    }
    return new Origin(a.getTopic(), a.getPartition(), a.getOffset());
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException(what);
    }
  }

  private static float[] floats(List<Float> list) {
    if (list == null) {
      return null;
    }
    float[] v = new float[list.size()];
    if (list instanceof PrimitivesArrays.FloatArray floats) {
      // What Avro's reader makes for array<float>: read without boxing each component.
      for (int i = 0; i < v.length; i++) {
        v[i] = floats.getFloat(i);
      }
    } else {
      for (int i = 0; i < v.length; i++) {
        v[i] = list.get(i);
      }
    }
    return v;
  }

  private static byte[] bytes(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
