package io.simjoin.operators.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.operators.events.DeadLetter.Reason;
import io.simjoin.operators.events.DeadLetter.Subject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

  private static final ItemEvent ITEM = ItemEvent.upsert("ns", "a", new float[] {Float.NaN}, 5L);
  private static final QueryEvent QUERY = QueryEvent.once("ns", "q", new float[] {1f}, 0, 6L);

  @Test
  void carriesTheRejectedItem() {
    DeadLetter d = DeadLetter.forItem(Reason.NON_FINITE_COMPONENT, "component 0 is NaN", ITEM);
    assertThat(d.reason()).isEqualTo(Reason.NON_FINITE_COMPONENT);
    assertThat(d.message()).isEqualTo("component 0 is NaN");
    assertThat(d.subject()).isEqualTo(Subject.ITEM);
    assertThat(d.item()).contains(ITEM);
    assertThat(d.query()).isEmpty();
    assertThat(d.record()).isEmpty();
    assertThat(d.timestamp()).isEqualTo(5L);
    assertThat(d.describeSubject()).isEqualTo(ITEM.toString());
    assertThat(d.toString()).contains("NON_FINITE_COMPONENT").contains("component 0 is NaN");
  }

  @Test
  void carriesTheRejectedQuery() {
    DeadLetter d = DeadLetter.forQuery(Reason.K_NOT_POSITIVE, "k = 0", QUERY);
    assertThat(d.subject()).isEqualTo(Subject.QUERY);
    assertThat(d.query()).contains(QUERY);
    assertThat(d.item()).isEmpty();
    assertThat(d.timestamp()).isEqualTo(6L);
  }

  @Test
  void carriesTheBytesOfAnUndecodableRecord() {
    byte[] bytes = {(byte) 0xca, (byte) 0xfe, 0x00};
    DeadLetter d = DeadLetter.undecodable(bytes, "not Avro", 7L);
    bytes[0] = 0;
    assertThat(d.reason()).isEqualTo(Reason.UNDECODABLE);
    assertThat(d.subject()).isEqualTo(Subject.RECORD);
    assertThat(d.record()).hasValueSatisfying(b -> assertThat(b).containsExactly(0xca, 0xfe, 0));
    d.record().orElseThrow()[0] = 1;
    assertThat(d.record().orElseThrow()[0]).isEqualTo((byte) 0xca);
    assertThat(d.describeSubject()).isEqualTo("record of 3 bytes: 0xcafe00");
    assertThat(d.timestamp()).isEqualTo(7L);
  }

  @Test
  void rendersTextRecordsAsTextAndLongOnesTruncated() {
    byte[] json = "{\"namespace\": \"ns\", \"op\": \"UPSRT\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(DeadLetter.undecodable(json, "unknown op", 0L).describeSubject())
        .isEqualTo("record of 34 bytes: '{\"namespace\": \"ns\", \"op\": \"UPSRT\"}'");
    assertThat(DeadLetter.undecodable(new byte[1000], "zeros", 0L).describeSubject())
        .startsWith("record of 1000 bytes: 0x0000")
        .endsWith("…")
        .hasSizeLessThan(200);
    assertThat(DeadLetter.undecodable(null, "tombstone", 0L).describeSubject())
        .isEqualTo("record of 0 bytes: ''");
  }

  @Test
  void rejectsMisuse() {
    assertThatThrownBy(() -> DeadLetter.forItem(Reason.UNDECODABLE, "x", ITEM))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DeadLetter.undecodable");
    assertThatThrownBy(() -> DeadLetter.forItem(null, "x", ITEM))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> DeadLetter.forItem(Reason.EMPTY_ID, null, ITEM))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("message is null");
    assertThatThrownBy(() -> DeadLetter.forQuery(Reason.EMPTY_ID, "", QUERY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("message is empty");
    assertThatThrownBy(() -> DeadLetter.forQuery(Reason.EMPTY_ID, "x", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("query is null");
  }

  @Test
  void equality() {
    assertThat(DeadLetter.undecodable(new byte[] {1}, "m", 1L))
        .isEqualTo(DeadLetter.undecodable(new byte[] {1}, "m", 1L))
        .hasSameHashCodeAs(DeadLetter.undecodable(new byte[] {1}, "m", 1L))
        .isNotEqualTo(DeadLetter.undecodable(new byte[] {2}, "m", 1L))
        .isNotEqualTo(DeadLetter.undecodable(new byte[] {1}, "n", 1L));
    assertThat(DeadLetter.forItem(Reason.EMPTY_ID, "m", ITEM))
        .isEqualTo(DeadLetter.forItem(Reason.EMPTY_ID, "m", ITEM))
        .isNotEqualTo(DeadLetter.forItem(Reason.EMPTY_NAMESPACE, "m", ITEM));
  }

  @Test
  void everyReasonHasADescription() {
    for (Reason r : Reason.values()) {
      assertThat(r.description()).as(r.name()).isNotBlank();
    }
  }
}
