package io.simjoin.connectors.codec;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The JSON wire format: one compact JSON object per record, in UTF-8, with the field names of the
 * events, so that anyone can type events into a console producer and read the output by eye.
 *
 * <pre>{@code
 * EventCodec codec = new JsonEventCodec();   // or EventCodecs.forFormat(WireFormat.JSON)
 * ItemEvent e = codec.decodeItem(
 *     "{\"namespace\":\"shop\",\"id\":\"sku-1\",\"op\":\"UPSERT\",\"vector\":[0.1,0.2]}"
 *         .getBytes(StandardCharsets.UTF_8),
 *     record.timestamp());                   // no "timestamp" field: the record's time
 * byte[] out = codec.encodeUpdate(update);
 * }</pre>
 *
 * <p>The records, fields in the order the encoders write them (a decoder takes any order):
 *
 * <ul>
 *   <li>item: {@code {"namespace":"shop","id":"sku-1","op":"UPSERT","vector":[0.1,0.2],
 *       "timestamp":1767225600000}}; {@code op} is {@code UPSERT} or {@code DELETE}; {@code vector}
 *       is null or left out on a DELETE; {@code timestamp} (milliseconds since the epoch) may be
 *       null or left out, and then is the Kafka record's.
 *   <li>query: {@code {"namespace":"shop","id":"user-7","op":"REGISTER","vector":[0.1,0.2],
 *       "k":10,"threshold":null,"timestamp":1767225600000}}; {@code op} is {@code ONCE}, {@code
 *       REGISTER} or {@code CANCEL}; {@code threshold} is a number, or null or left out for none; a
 *       CANCEL needs only namespace, id and op. A missing {@code k} reads 0, which the validator
 *       rejects.
 *   <li>update: {@code {"namespace":"shop","queryId":"user-7","seq":3,"matches":[{"itemId":"sku-1",
 *       "score":0.91}],"cause":"ITEM_UPSERTED","causeItemId":"sku-1","timestamp":1767225600000}};
 *       matches best first; {@code cause} is an {@link
 *       io.simjoin.operators.events.UpdateCause.Kind} name, {@code causeItemId} the item that
 *       caused the update, or null.
 *   <li>alert: {@code {"namespace":"shop","queryId":"alert-3","itemId":"sku-1","score":0.93,
 *       "retraction":false,"timestamp":1767225600000}}.
 *   <li>dead letter: {@code {"reason":"UNDECODABLE","message":"…","subject":"RECORD","item":null,
 *       "query":null,"record":"eyJpZCI6MQ==","topic":"items","partition":0,"offset":17,
 *       "timestamp":1767225600000}}; {@code reason} a {@link DeadLetter.Reason} name, {@code
 *       subject} {@code ITEM}, {@code QUERY} or {@code RECORD}; {@code item} or {@code query} the
 *       rejected event as the object above; {@code record} the undecodable bytes in base64; {@code
 *       topic}, {@code partition}, {@code offset} where the input was read, or null.
 * </ul>
 *
 * <p><b>Numbers.</b> Vector components, scores and thresholds are float32: a decimal is rounded
 * once to the nearest float (a number beyond float range becomes infinite), and encoders write the
 * shortest decimal that reads back to the same float. NaN and the infinities are written and read
 * as the bare tokens {@code NaN}, {@code Infinity} and {@code -Infinity} (as JavaScript and Python
 * print them); on valid input they appear only in a dead letter's rejected event, or a score that
 * overflowed. {@code k}, {@code seq}, {@code timestamp}, {@code partition} and {@code offset} are
 * whole numbers ({@code 10}, {@code 10.0} and {@code 1e1} are all ten).
 *
 * <p><b>Decoding</b> follows the {@link EventCodec} contract: a missing or null namespace or id, a
 * missing or empty vector, a NaN or infinite component, k of 0 or below, a NaN threshold are
 * decoded as they are and left to the validator. A {@link DecodeException}, whose message names the
 * field and says what to write instead, is thrown for what cannot be an event: bytes that are not
 * one JSON object (or have anything but whitespace after it), a field given twice, a missing, null
 * or unknown {@code op} (an item op on the queries topic is unknown there), a value of the wrong
 * type ({@code vector[3] is a string}), a fractional or out-of-range k or timestamp. Decoders of
 * updates, alerts and dead letters read what the encoders write and reject whatever an event of
 * that type cannot hold.
 *
 * <p><b>Forward compatibility.</b> Decoders ignore fields they do not know, as an Avro reader skips
 * fields its schema lacks, so a producer may add fields without breaking older jobs and consumers.
 * The price: a misspelt field ({@code "Vector"}) is ignored too, and the record then fails for the
 * field it lacks.
 *
 * <p>Stateless and thread-safe.
 */
@PublicEvolving
public final class JsonEventCodec implements EventCodec {

  @Override
  public ItemEvent decodeItem(byte[] value, long recordTimestamp) throws DecodeException {
    return JsonEventReader.item(value, recordTimestamp);
  }

  @Override
  public QueryEvent decodeQuery(byte[] value, long recordTimestamp) throws DecodeException {
    return JsonEventReader.query(value, recordTimestamp);
  }

  @Override
  public TopKUpdate decodeUpdate(byte[] value) throws DecodeException {
    return JsonEventReader.update(value);
  }

  @Override
  public ThresholdMatch decodeAlert(byte[] value) throws DecodeException {
    return JsonEventReader.alert(value);
  }

  @Override
  public DeadLetter decodeDeadLetter(byte[] value) throws DecodeException {
    return JsonEventReader.deadLetter(value);
  }

  @Override
  public byte[] encodeItem(ItemEvent event) {
    return JsonEventWriter.item(event);
  }

  @Override
  public byte[] encodeQuery(QueryEvent event) {
    return JsonEventWriter.query(event);
  }

  @Override
  public byte[] encodeUpdate(TopKUpdate update) {
    return JsonEventWriter.update(update);
  }

  @Override
  public byte[] encodeAlert(ThresholdMatch alert) {
    return JsonEventWriter.alert(alert);
  }

  @Override
  public byte[] encodeDeadLetter(DeadLetter deadLetter) {
    return JsonEventWriter.deadLetter(deadLetter);
  }
}
