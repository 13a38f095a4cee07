package io.simjoin.connectors;

import io.simjoin.connectors.codec.DecodeException;
import io.simjoin.connectors.codec.EventCodec;
import io.simjoin.connectors.codec.EventCodecs;
import io.simjoin.connectors.codec.RecordKeys;
import io.simjoin.operators.ShardJoin;
import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.Origin;
import io.simjoin.operators.events.QueryEvent;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes the records of the input topics into events, right after the source and at its
 * parallelism, so each partition's records keep their order. A record that cannot be decoded
 * becomes a dead letter on {@link ShardJoin#DEAD_LETTERS} carrying its bytes, the decoder's error
 * and its origin, and is counted in the metric {@code undecodable}; the job goes on. Every decoded
 * event carries its {@link Origin}, so a dead letter made from it later (a wrong dimension, an
 * unknown delete) says where the record was too.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<ItemEvent> items =
 *     rawItems.process(new DecodeRecords.Items(WireFormat.AVRO), EventTypeInfo.ITEM_EVENT);
 * DataStream<DeadLetter> undecodable = items.getSideOutput(ShardJoin.DEAD_LETTERS);
 * }</pre>
 */
@PublicEvolving
public final class DecodeRecords {
  private DecodeRecords() {}

  /** The items topic: a value is an item event, a tombstone deletes the item its key names. */
  public static final class Items extends Base<ItemEvent> {
    private static final long serialVersionUID = 1L;

    public Items(WireFormat format) {
      super(format, "item");
    }

    @Override
    ItemEvent decode(EventCodec codec, RawRecord r) throws DecodeException {
      if (r.isTombstone()) {
        RecordKeys.Id id;
        try {
          id = RecordKeys.parseItemKey(r.key());
        } catch (DecodeException e) {
          throw new DecodeException(
              "a tombstone (null value) deletes the item its key names, but "
                  + e.getMessage()
                  + " (the key was "
                  + keyPreview(r.key())
                  + ")",
              e);
        }
        return ItemEvent.of(id.namespace(), id.id(), ItemEvent.Op.DELETE, null, r.timestamp());
      }
      return codec.decodeItem(r.value(), r.timestamp());
    }

    private static String keyPreview(byte[] key) {
      if (key == null) {
        return "null";
      }
      String k = new String(key, java.nio.charset.StandardCharsets.UTF_8);
      return '\'' + (k.length() > 200 ? k.substring(0, 200) + "…" : k) + '\'';
    }

    @Override
    ItemEvent locate(ItemEvent e, Origin origin) {
      return e.withOrigin(origin);
    }
  }

  /** The queries topic: every value is a query event. */
  public static final class Queries extends Base<QueryEvent> {
    private static final long serialVersionUID = 1L;

    public Queries(WireFormat format) {
      super(format, "query");
    }

    @Override
    QueryEvent decode(EventCodec codec, RawRecord r) throws DecodeException {
      if (r.isTombstone()) {
        throw new DecodeException(
            "a query record needs a value (a tombstone means nothing here); to remove a standing"
                + " query send it with op CANCEL");
      }
      return codec.decodeQuery(r.value(), r.timestamp());
    }

    @Override
    QueryEvent locate(QueryEvent e, Origin origin) {
      return e.withOrigin(origin);
    }
  }

  abstract static class Base<T> extends ProcessFunction<RawRecord, T> {
    private static final long serialVersionUID = 1L;

    private final WireFormat format;
    private final String what;
    private transient EventCodec codec;
    private transient Counter undecodable;

    Base(WireFormat format, String what) {
      this.format = format;
      this.what = what;
    }

    abstract T decode(EventCodec codec, RawRecord r) throws DecodeException;

    abstract T locate(T event, Origin origin);

    @Override
    public void open(OpenContext openContext) {
      codec = EventCodecs.forFormat(format);
      undecodable = getRuntimeContext().getMetricGroup().counter("undecodable");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<T> out) {
      Origin origin = r.origin();
      T event;
      try {
        event = decode(codec, r);
      } catch (DecodeException e) {
        undecodable.inc();
        ctx.output(
            ShardJoin.DEAD_LETTERS,
            DeadLetter.undecodable(
                r.value(),
                "the "
                    + what
                    + " record at "
                    + origin
                    + " is not a "
                    + format.flagValue()
                    + " "
                    + what
                    + " event: "
                    + e.getMessage(),
                r.timestamp(),
                origin));
        return;
      }
      out.collect(locate(event, origin));
    }
  }
}
