package io.simjoin.connectors.codec;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Turns the values of simjoin's five topics into events and back, in one {@link
 * io.simjoin.connectors.WireFormat}. Keys are not its business ({@link RecordKeys} encodes them the
 * same way in every format).
 *
 * <pre>{@code
 * EventCodec codec = EventCodecs.forFormat(WireFormat.JSON);
 * ItemEvent e = codec.decodeItem(record.value(), record.timestamp());
 * byte[] out = codec.encodeUpdate(update);
 * }</pre>
 *
 * <p><b>Decoding contract.</b> A decoder turns every record whose <em>shape</em> is right into an
 * event, even when its content is invalid, and leaves the content checks to {@code EventValidator},
 * so that each problem gets its own dead-letter reason: a missing or null namespace, id or vector,
 * an empty vector, NaN or infinite components, k of 0 or below, a NaN threshold are all decoded as
 * they are ({@code ItemEvent.of}, {@code QueryEvent.of}). Only what cannot become an event throws
 * {@link DecodeException}: bytes that are not the format, an unknown schema, a missing or unknown
 * {@code op}, a value of the wrong type (a string where a number belongs, a fractional or
 * out-of-range k). A missing timestamp takes {@code recordTimestamp}.
 *
 * <p>Implementations are not thread-safe: make one per thread (per Flink subtask).
 */
@PublicEvolving
public interface EventCodec {

  /**
   * An item event.
   *
   * @param value the record's value, non-null (a null value is a tombstone: see {@link
   *     RecordKeys#parseItemKey})
   * @param recordTimestamp the Kafka record's timestamp, used when the event has none
   */
  ItemEvent decodeItem(byte[] value, long recordTimestamp) throws DecodeException;

  /** A query event; as {@link #decodeItem}. */
  QueryEvent decodeQuery(byte[] value, long recordTimestamp) throws DecodeException;

  /** An update, as {@link #encodeUpdate} wrote it (for {@code tail}, tests and consumers). */
  TopKUpdate decodeUpdate(byte[] value) throws DecodeException;

  /** An alert, as {@link #encodeAlert} wrote it. */
  ThresholdMatch decodeAlert(byte[] value) throws DecodeException;

  /** A dead letter, as {@link #encodeDeadLetter} wrote it. */
  DeadLetter decodeDeadLetter(byte[] value) throws DecodeException;

  /** An item event's value (what {@code produce} writes). */
  byte[] encodeItem(ItemEvent event);

  /** A query event's value. */
  byte[] encodeQuery(QueryEvent event);

  /** An update's value. */
  byte[] encodeUpdate(TopKUpdate update);

  /** An alert's value. */
  byte[] encodeAlert(ThresholdMatch alert);

  /** A dead letter's value, with its origin, its raw record or its event. */
  byte[] encodeDeadLetter(DeadLetter deadLetter);
}
