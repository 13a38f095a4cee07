package io.simjoin.connectors.codec;

import static io.simjoin.connectors.codec.AvroEventCodecRoundTripTest.toArray;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.connectors.codec.AvroEventCodec.RecordType;
import io.simjoin.schemas.avro.DeadLetterSubject;
import io.simjoin.schemas.avro.Match;
import io.simjoin.schemas.avro.UpdateCause;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class AvroEventCodecErrorsTest {

  private final AvroEventCodec codec = new AvroEventCodec();

  private byte[] anItem() {
    return codec.encodeItem(AvroSamples.items().get(0));
  }

  @Test
  void valuesThatAreNotSingleObjectEncodedShowTheirFirstBytes() {
    byte[] json =
        "{\"namespace\":\"shop\",\"id\":\"sku-1\",\"op\":\"UPSERT\"}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> codec.decodeItem(json, 0))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("not Avro single-object encoding")
        .hasMessageContaining("C3 01")
        .hasMessageContaining("(" + json.length + " bytes) starts with 7B 22 6E 61")
        .hasMessageContaining("looks like JSON")
        .hasMessageContaining("--format json");
    byte[] registry = {0, 0, 0, 0, 42, 2, 'a'};
    assertThatThrownBy(() -> codec.decodeQuery(registry, 0))
        .hasMessageContaining("starts with 00 00 00 00 2A")
        .hasMessageContaining("schema registry");
    assertThatThrownBy(() -> codec.decodeUpdate(new byte[0]))
        .hasMessageContaining("not Avro single-object encoding")
        .hasMessageContaining("is empty");
    assertThatThrownBy(() -> codec.decodeAlert(null))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("no value (a tombstone)");
    byte[] marker = {(byte) 0xC3, 0x01, 1, 2, 3};
    assertThatThrownBy(() -> codec.decodeDeadLetter(marker))
        .hasMessageContaining("truncated Avro single-object header: 5 bytes");
    byte[] other = anItem();
    other[1] = 0x02;
    assertThatThrownBy(() -> codec.decodeItem(other, 0)).hasMessageContaining("starts with C3 02");
  }

  @Test
  void anUnknownFingerprintIsNamedWithItsLikelyWriter() {
    byte[] value = anItem();
    Arrays.fill(value, 2, 10, (byte) 0x11);
    assertThatThrownBy(() -> codec.decodeItem(value, 0))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("unknown writer schema: fingerprint 0x1111111111111111")
        .hasMessageContaining("5 schema versions this simjoin knows")
        .hasMessageContaining("newer simjoin")
        .hasMessageContaining("another producer");
    assertThatThrownBy(() -> codec.typeOf(value)).hasMessageContaining("0x1111111111111111");
    assertThatThrownBy(() -> codec.decodeAny(value, 0)).hasMessageContaining("unknown writer");
  }

  @Test
  void aRecordOfAnotherTypeSaysWhichTopicItBelongsOn() throws Exception {
    byte[][] values = {
      anItem(),
      codec.encodeQuery(AvroSamples.queries().get(0)),
      codec.encodeUpdate(AvroSamples.updates().get(0)),
      codec.encodeAlert(AvroSamples.alerts().get(0)),
      codec.encodeDeadLetter(AvroSamples.deadLetters().get(0)),
    };
    int refused = 0;
    for (RecordType expected : RecordType.values()) {
      for (RecordType actual : RecordType.values()) {
        byte[] value = values[actual.ordinal()];
        if (expected == actual) {
          assertThatCode(() -> decode(expected, value)).doesNotThrowAnyException();
          continue;
        }
        assertThatThrownBy(() -> decode(expected, value))
            .isInstanceOf(DecodeException.class)
            .hasMessageContaining("expected a")
            .hasMessageContaining(expected.recordName() + " but the value is a")
            .hasMessageContaining(actual.recordName() + " on the " + expected.defaultTopic())
            .hasMessageContaining("to the " + actual.defaultTopic() + " topic");
        refused++;
      }
    }
    assertThat(refused).isEqualTo(20);
    assertThatThrownBy(() -> codec.decodeItem(values[1], 0))
        .hasMessage(
            "expected an ItemEvent but the value is a QueryEvent (fingerprint 0x"
                + String.format(
                    "%016x",
                    io.simjoin.schemas.WriterSchemas.fingerprint(RecordType.QUERY.schema()))
                + "): a QueryEvent on the items topic? Write QueryEvent records to the queries"
                + " topic");
  }

  @Test
  void everyTruncationOfEveryTypeIsCorruptAndTrailingBytesAreNoticed() throws Exception {
    Random r = new Random(91);
    for (int round = 0; round < 8; round++) {
      Object[] events = {
        AvroSamples.item(r),
        AvroSamples.query(r),
        AvroSamples.update(r),
        AvroSamples.alert(r),
        AvroSamples.deadLetter(r),
      };
      for (RecordType t : RecordType.values()) {
        byte[] value = encode(t, events[t.ordinal()]);
        for (int n = 10; n < value.length; n++) {
          byte[] cut = Arrays.copyOf(value, n);
          assertThatThrownBy(() -> decode(t, cut))
              .as("%s cut to %d of %d bytes", t, n, value.length)
              .isInstanceOf(DecodeException.class)
              .hasMessageContaining("corrupt " + t.recordName())
              .hasMessageContaining("writer schema fingerprint 0x");
        }
        byte[] longer = Arrays.copyOf(value, value.length + 2);
        assertThatThrownBy(() -> decode(t, longer))
            .hasMessageContaining("2 bytes follow the record");
        // The codec reuses its decoder and records: a failure must not spoil the next value.
        assertThat(decode(t, value)).isEqualTo(events[t.ordinal()]);
      }
    }
    byte[] cut = Arrays.copyOf(anItem(), 14);
    assertThatThrownBy(() -> codec.decodeItem(cut, 0))
        .hasMessageContaining("ends before the record does (truncated?)");
  }

  @Test
  void corruptBodiesFailFastWithoutHugeAllocations() throws Exception {
    byte[] header = Arrays.copyOf(anItem(), 10);
    // namespace length 2^30: a direct decoder would allocate 1 GB before noticing.
    byte[] hugeString = body(header, e -> e.writeLong(1L << 30));
    assertThatThrownBy(() -> codec.decodeItem(hugeString, 0))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("corrupt ItemEvent");
    byte[] badEnum = body(header, e -> ids(e).writeEnum(7));
    assertThatThrownBy(() -> codec.decodeItem(badEnum, 0))
        .hasMessageContaining("corrupt ItemEvent");
    byte[] badUnion =
        body(
            header,
            e -> {
              ids(e).writeEnum(0);
              e.writeIndex(5);
            });
    assertThatThrownBy(() -> codec.decodeItem(badUnion, 0))
        .hasMessageContaining("corrupt ItemEvent");
    byte[] hugeArray =
        body(
            header,
            e -> {
              ids(e).writeEnum(0);
              e.writeIndex(1);
              e.writeArrayStart();
              e.setItemCount(Integer.MAX_VALUE - 100);
            });
    assertThatThrownBy(() -> codec.decodeItem(hugeArray, 0))
        .hasMessageContaining("corrupt ItemEvent");
    Random r = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] noise = new byte[r.nextInt(64)];
      r.nextBytes(noise);
      byte[] value = Arrays.copyOf(header, 10 + noise.length);
      System.arraycopy(noise, 0, value, 10, noise.length);
      try {
        codec.decodeItem(value, 0); // random bytes may happen to be a valid record
      } catch (DecodeException expected) {
        assertThat(expected.getMessage()).startsWith("corrupt ItemEvent");
      }
    }
  }

  @Test
  void kindsFromANewerWriterAndInvalidOutputRecordsAreRefused() throws Exception {
    var update =
        new io.simjoin.schemas.avro.TopKUpdate(
            "ns", "q", 1L, List.of(), UpdateCause.UNKNOWN, null, 0L);
    assertThatThrownBy(() -> codec.decodeUpdate(encoded(update)))
        .hasMessageContaining("cause is one this simjoin does not know")
        .hasMessageContaining("newer simjoin");
    var unsorted =
        new io.simjoin.schemas.avro.TopKUpdate(
            "ns",
            "q",
            1L,
            List.of(new Match("a", 1f), new Match("b", 2f)),
            UpdateCause.ONCE,
            null,
            0L);
    assertThatThrownBy(() -> codec.decodeUpdate(encoded(unsorted)))
        .hasMessageContaining("not a valid TopKUpdate")
        .hasMessageContaining("best first");
    var noItem =
        new io.simjoin.schemas.avro.TopKUpdate(
            "ns", "q", 1L, List.of(), UpdateCause.ITEM_UPSERTED, null, 0L);
    assertThatThrownBy(() -> codec.decodeUpdate(encoded(noItem)))
        .hasMessageContaining("not a valid TopKUpdate");

    assertThatThrownBy(() -> codec.decodeDeadLetter(encoded(deadLetter("NEW_REASON", null))))
        .hasMessageContaining("reason 'NEW_REASON' is not one this simjoin knows")
        .hasMessageContaining("newer simjoin");
    var itemless = deadLetter("EMPTY_ID", null);
    itemless.setSubject(DeadLetterSubject.ITEM);
    assertThatThrownBy(() -> codec.decodeDeadLetter(encoded(itemless)))
        .hasMessageContaining("not a valid DeadLetter: subject ITEM without an item");
    assertThatThrownBy(() -> codec.decodeDeadLetter(encoded(deadLetter("EMPTY_ID", null))))
        .hasMessageContaining("subject RECORD with reason EMPTY_ID");
    var partial = deadLetter("UNDECODABLE", null);
    partial.setTopic("items");
    assertThatThrownBy(() -> codec.decodeDeadLetter(encoded(partial)))
        .hasMessageContaining("origin is incomplete");
    var unknownSubject = deadLetter("UNDECODABLE", null);
    unknownSubject.setSubject(DeadLetterSubject.UNKNOWN);
    assertThatThrownBy(() -> codec.decodeDeadLetter(encoded(unknownSubject)))
        .hasMessageContaining("subject is one this simjoin does not know");
    assertThatThrownBy(() -> codec.decodeDeadLetter(encoded(deadLetter("UNDECODABLE", ""))))
        .hasMessageContaining("not a valid DeadLetter")
        .hasMessageContaining("message is empty");
  }

  @Test
  void onlyOurRecordsReadableIntoOursAreAcceptedAsExtraWriterSchemas() {
    Schema foreign =
        SchemaBuilder.record("Item")
            .namespace("com.acme")
            .fields()
            .requiredString("id")
            .endRecord();
    assertThatThrownBy(() -> new AvroEventCodec(List.of(foreign)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("com.acme.Item is none of simjoin's records");
    Schema unreadable =
        SchemaBuilder.record("ItemEvent")
            .namespace("io.simjoin.schemas.avro")
            .fields()
            .requiredString("namespace")
            .endRecord();
    assertThatThrownBy(() -> new AvroEventCodec(List.of(unreadable)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("records written with this ItemEvent schema cannot be read");
  }

  private static io.simjoin.schemas.avro.DeadLetter deadLetter(String reason, String message) {
    return new io.simjoin.schemas.avro.DeadLetter(
        reason,
        message == null ? "m" : message,
        DeadLetterSubject.RECORD,
        null,
        null,
        java.nio.ByteBuffer.wrap(new byte[] {1}),
        null,
        null,
        null,
        5L);
  }

  private static byte[] encoded(io.simjoin.schemas.avro.TopKUpdate u) throws Exception {
    return toArray(io.simjoin.schemas.avro.TopKUpdate.getEncoder().encode(u));
  }

  private static byte[] encoded(io.simjoin.schemas.avro.DeadLetter d) throws Exception {
    return toArray(io.simjoin.schemas.avro.DeadLetter.getEncoder().encode(d));
  }

  private interface Body {
    void write(BinaryEncoder e) throws Exception;
  }

  /** An ItemEvent body up to its op: namespace "ns", id "id". */
  private static BinaryEncoder ids(BinaryEncoder e) throws java.io.IOException {
    e.writeString("ns");
    e.writeString("id");
    return e;
  }

  private static byte[] body(byte[] header, Body body) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(header);
    BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
    body.write(e);
    e.flush();
    return out.toByteArray();
  }

  private byte[] encode(RecordType t, Object event) {
    return switch (t) {
      case ITEM -> codec.encodeItem((io.simjoin.operators.events.ItemEvent) event);
      case QUERY -> codec.encodeQuery((io.simjoin.operators.events.QueryEvent) event);
      case UPDATE -> codec.encodeUpdate((io.simjoin.operators.events.TopKUpdate) event);
      case ALERT -> codec.encodeAlert((io.simjoin.operators.events.ThresholdMatch) event);
      case DEAD_LETTER -> codec.encodeDeadLetter((io.simjoin.operators.events.DeadLetter) event);
    };
  }

  private Object decode(RecordType t, byte[] value) throws DecodeException {
    return switch (t) {
      case ITEM -> codec.decodeItem(value, 0);
      case QUERY -> codec.decodeQuery(value, 0);
      case UPDATE -> codec.decodeUpdate(value);
      case ALERT -> codec.decodeAlert(value);
      case DEAD_LETTER -> codec.decodeDeadLetter(value);
    };
  }
}
