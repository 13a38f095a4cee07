package io.simjoin.connectors;

import io.simjoin.connectors.codec.EventCodec;
import io.simjoin.connectors.codec.EventCodecs;
import io.simjoin.connectors.codec.RecordKeys;
import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.events.UpdateCause;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Encodes the join's three outputs into records for the sink, keyed as {@link RecordKeys} says.
 *
 * <pre>{@code
 * DataStream<RawRecord> out =
 *     join.updates().flatMap(new EncodeRecords.Updates(format, topics.updates()), RawRecord.TYPE_INFO)
 *         .union(join.alerts().flatMap(new EncodeRecords.Alerts(format, topics.alerts()), ...));
 * }</pre>
 */
@PublicEvolving
public final class EncodeRecords {
  private EncodeRecords() {}

  /**
   * Updates, keyed by namespace and query id; a CANCELLED update is followed by a tombstone on its
   * key, so a log-compacted topic forgets the query.
   */
  public static final class Updates extends Base<TopKUpdate> {
    private static final long serialVersionUID = 1L;

    public Updates(WireFormat format, String topic) {
      super(format, topic);
    }

    @Override
    public void flatMap(TopKUpdate u, Collector<RawRecord> out) {
      byte[] key = RecordKeys.updateKey(u.namespace(), u.queryId());
      out.collect(RawRecord.toWrite(topic, key, codec.encodeUpdate(u)));
      if (u.cause().kind() == UpdateCause.Kind.CANCELLED) {
        out.collect(RawRecord.toWrite(topic, key, null));
      }
    }
  }

  /** Alerts and retractions, keyed by namespace and query id. */
  public static final class Alerts extends Base<ThresholdMatch> {
    private static final long serialVersionUID = 1L;

    public Alerts(WireFormat format, String topic) {
      super(format, topic);
    }

    @Override
    public void flatMap(ThresholdMatch m, Collector<RawRecord> out) {
      byte[] key = RecordKeys.updateKey(m.namespace(), m.queryId());
      out.collect(RawRecord.toWrite(topic, key, codec.encodeAlert(m)));
    }
  }

  /** Dead letters, without a key: they come from any namespace, or from records that had none. */
  public static final class DeadLetters extends Base<DeadLetter> {
    private static final long serialVersionUID = 1L;

    public DeadLetters(WireFormat format, String topic) {
      super(format, topic);
    }

    @Override
    public void flatMap(DeadLetter d, Collector<RawRecord> out) {
      out.collect(RawRecord.toWrite(topic, null, codec.encodeDeadLetter(d)));
    }
  }

  abstract static class Base<T> extends RichFlatMapFunction<T, RawRecord> {
    private static final long serialVersionUID = 1L;

    private final WireFormat format;
    final String topic;
    transient EventCodec codec;

    Base(WireFormat format, String topic) {
      this.format = format;
      this.topic = topic;
    }

    @Override
    public void open(OpenContext openContext) {
      codec = EventCodecs.forFormat(format);
    }
  }
}
