/**
 * The values of simjoin's five topics as bytes and back: {@link
 * io.simjoin.connectors.codec.EventCodec} and its formats, and {@link
 * io.simjoin.connectors.codec.RecordKeys} for the keys (the same in every format).
 *
 * <p><b>Avro</b> ({@link io.simjoin.connectors.codec.AvroEventCodec}, the default format): every
 * value is a record of the {@code simjoin-schemas} module ({@code io.simjoin.schemas.avro}) in
 * Avro's single-object encoding: {@code C3 01}, the writer schema's CRC-64-AVRO fingerprint (8
 * bytes, little-endian), the binary body. The fingerprint names the writer's schema version, so the
 * codec resolves old and new writers among the versions it knows without a schema registry; a
 * producer needs only the schemas (any Avro library can write single-object encoding).
 *
 * <pre>{@code
 * EventCodec codec = new AvroEventCodec();              // one per thread (per Flink subtask)
 * byte[] value = codec.encodeQuery(QueryEvent.register("shop", "user-7", vector, 10, ts));
 * byte[] key = RecordKeys.queryKey("shop", "user-7");
 *
 * try {
 *   ItemEvent e = codec.decodeItem(record.value(), record.timestamp());
 *   validator.checkItem(e);                             // content: NaN, k <= 0, empty ids, ...
 * } catch (DecodeException bad) {                      // shape: not Avro, unknown schema, ...
 *   DeadLetter.undecodable(record.value(), bad.getMessage(), record.timestamp(), origin);
 * }
 *
 * // ./simjoin tail: whichever of the five records a value is
 * AvroEventCodec.Decoded any = new AvroEventCodec().decodeAny(record.value(), record.timestamp());
 * }</pre>
 *
 * <p>The Avro codec needs no {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES} (see {@link
 * io.simjoin.connectors.codec.AvroEventCodec}), so it runs in any TaskManager as started.
 */
package io.simjoin.connectors.codec;
