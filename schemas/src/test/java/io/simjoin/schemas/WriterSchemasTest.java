package io.simjoin.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.schemas.avro.ItemEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class WriterSchemasTest {

  @Test
  void everyReleasedVersionIsKnownAndEveryCurrentOneIsReleased() throws IOException {
    Set<String> released = new HashSet<>();
    try (InputStream in = getClass().getResourceAsStream("/released-fingerprints.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] parts = line.trim().split("\\s+");
          released.add(parts[0] + " " + parts[2]);
        }
      }
    }
    assertThat(released).hasSizeGreaterThanOrEqualTo(5);
    Set<String> known = named(WriterSchemas.all());
    assertThat(known)
        .as("a released schema version is no longer known: copy it to the history (WriterSchemas)")
        .containsAll(released);
    assertThat(released)
        .as("a schema changed: add its new fingerprint to released-fingerprints.txt")
        .containsAll(named(WriterSchemas.current()));
  }

  @Test
  void currentHoldsTheFiveRecordsOfOurNamespace() {
    assertThat(WriterSchemas.current())
        .extracting(Schema::getFullName)
        .containsExactly(
            "io.simjoin.schemas.avro.ItemEvent",
            "io.simjoin.schemas.avro.QueryEvent",
            "io.simjoin.schemas.avro.TopKUpdate",
            "io.simjoin.schemas.avro.ThresholdMatch",
            "io.simjoin.schemas.avro.DeadLetter");
  }

  @Test
  void historyResourcesAreParsedOneParserEach() {
    List<Schema> loaded =
        WriterSchemas.load(
            getClass().getClassLoader(),
            "history-test/",
            List.of("ItemEvent-v1.avsc", "ItemEvent-v1.avsc"));
    assertThat(loaded).hasSize(2);
    assertThat(WriterSchemas.fingerprint(loaded.get(0)))
        .isEqualTo(WriterSchemas.fingerprint(ItemEvent.getClassSchema()));
    assertThatThrownBy(
            () -> WriterSchemas.load(getClass().getClassLoader(), "history-test/", List.of("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("history-test/x is missing");
  }

  @Test
  void everyRecordEnumAndFieldHasADoc() {
    List<String> undocumented = new ArrayList<>();
    for (Schema s : namedTypes(WriterSchemas.current())) {
      if (s.getDoc() == null || s.getDoc().isBlank()) {
        undocumented.add(s.getFullName());
      }
      if (s.getType() == Schema.Type.RECORD) {
        for (Schema.Field f : s.getFields()) {
          if (f.doc() == null || f.doc().isBlank()) {
            undocumented.add(s.getName() + "." + f.name());
          }
        }
      }
    }
    assertThat(undocumented).isEmpty();
  }

  @Test
  void inputOpsHaveNoEnumDefaultAndOutputKindsDefaultToUnknown() {
    Set<Schema> types = namedTypes(WriterSchemas.current());
    assertThat(types)
        .filteredOn(s -> s.getType() == Schema.Type.ENUM)
        .extracting(Schema::getName, Schema::getEnumDefault)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("ItemOp", null),
            org.assertj.core.groups.Tuple.tuple("QueryOp", null),
            org.assertj.core.groups.Tuple.tuple("UpdateCause", "UNKNOWN"),
            org.assertj.core.groups.Tuple.tuple("DeadLetterSubject", "UNKNOWN"));
    assertThat(types).extracting(Schema::getNamespace).containsOnly("io.simjoin.schemas.avro");
  }

  private static Set<String> named(List<Schema> schemas) {
    return schemas.stream()
        .map(s -> s.getName() + " " + String.format("%016x", WriterSchemas.fingerprint(s)))
        .collect(Collectors.toSet());
  }

  /** Every record and enum reachable from the schemas, each once. */
  private static Set<Schema> namedTypes(List<Schema> roots) {
    Set<Schema> seen = new HashSet<>();
    roots.forEach(r -> collect(r, seen));
    return seen;
  }

  private static void collect(Schema s, Set<Schema> seen) {
    switch (s.getType()) {
      case RECORD -> {
        if (seen.add(s)) {
          s.getFields().forEach(f -> collect(f.schema(), seen));
        }
      }
      case ENUM -> seen.add(s);
      case ARRAY -> collect(s.getElementType(), seen);
      case UNION -> s.getTypes().forEach(t -> collect(t, seen));
      default -> {}
    }
  }
}
