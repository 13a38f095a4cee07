package io.simjoin.connectors.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.schemas.WriterSchemas;
import io.simjoin.schemas.avro.DeadLetterSubject;
import io.simjoin.schemas.avro.ItemOp;
import io.simjoin.schemas.avro.Match;
import io.simjoin.schemas.avro.TopKUpdate;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class TrustedSpecificDataTest {

  private final TrustedSpecificData model = new TrustedSpecificData(WriterSchemas.current());

  @Test
  void resolvesEveryNamedTypeOfTheSchemasAndNothingElse() {
    assertThat(model.trustedNames())
        .extracting(n -> n.substring("io.simjoin.schemas.avro.".length()))
        .containsExactlyInAnyOrder(
            "ItemEvent",
            "ItemOp",
            "QueryEvent",
            "QueryOp",
            "TopKUpdate",
            "Match",
            "UpdateCause",
            "ThresholdMatch",
            "DeadLetter",
            "DeadLetterSubject");
    assertThat(model.getClass(TopKUpdate.getClassSchema())).isEqualTo(TopKUpdate.class);
    assertThat(model.getClass(Match.getClassSchema())).isEqualTo(Match.class);
    assertThat(model.getClass(ItemOp.getClassSchema())).isEqualTo(ItemOp.class);
    assertThat(model.createEnum("CANCELLED", io.simjoin.schemas.avro.UpdateCause.getClassSchema()))
        .isEqualTo(io.simjoin.schemas.avro.UpdateCause.CANCELLED);
    assertThat(model.getClass(DeadLetterSubject.getClassSchema()))
        .isEqualTo(DeadLetterSubject.class);
    // Other names take Avro's own path: no such class, so generic records.
    Schema foreign = SchemaBuilder.record("Nope").namespace("com.acme").fields().endRecord();
    assertThat(model.getClass(foreign)).isNull();
    assertThat(model.getClass(Schema.create(Schema.Type.STRING))).isEqualTo(CharSequence.class);
  }
}
