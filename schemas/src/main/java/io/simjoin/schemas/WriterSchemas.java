package io.simjoin.schemas;

import io.simjoin.schemas.avro.DeadLetter;
import io.simjoin.schemas.avro.ItemEvent;
import io.simjoin.schemas.avro.QueryEvent;
import io.simjoin.schemas.avro.ThresholdMatch;
import io.simjoin.schemas.avro.TopKUpdate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every writer schema a reader of this simjoin version resolves: the current schema of each of the
 * five records and every earlier released version of it. A single-object-encoded record names its
 * writer schema only by fingerprint, so a reader that forgot a released version could no longer
 * read the records still sitting in a topic.
 *
 * <pre>{@code
 * SchemaStore.Cache store = new SchemaStore.Cache();
 * WriterSchemas.all().forEach(store::addSchema);
 * BinaryMessageDecoder<GenericRecord> d =
 *     new BinaryMessageDecoder<>(GenericData.get(), ItemEvent.getClassSchema(), store);
 * }</pre>
 *
 * <p><b>Changing a schema.</b> Copy the released {@code .avsc} to {@code
 * src/main/resources/io/simjoin/schemas/history/<Record>-v<N>.avsc} (self-contained: inline the
 * records it embeds), add its name to {@link #HISTORY}, then edit {@code src/main/avro}; add the
 * new fingerprint to the test resource {@code released-fingerprints.txt}. A test fails until both
 * are done.
 */
public final class WriterSchemas {

  /** Earlier released versions, as resources below {@code io/simjoin/schemas/history/}. */
  static final List<String> HISTORY = List.of();

  private static final String HISTORY_DIR = "io/simjoin/schemas/history/";

  private WriterSchemas() {}

  /**
   * The schemas this version writes: ItemEvent, QueryEvent, TopKUpdate, ThresholdMatch, DeadLetter.
   */
  public static List<Schema> current() {
    return List.of(
        ItemEvent.getClassSchema(),
        QueryEvent.getClassSchema(),
        TopKUpdate.getClassSchema(),
        ThresholdMatch.getClassSchema(),
        DeadLetter.getClassSchema());
  }

  /** {@link #current()} and every earlier released version. */
  public static List<Schema> all() {
    List<Schema> all = new ArrayList<>(current());
    all.addAll(load(WriterSchemas.class.getClassLoader(), HISTORY_DIR, HISTORY));
    return List.copyOf(all);
  }

  /**
   * The 64-bit CRC-64-AVRO fingerprint of the schema's parsing canonical form: what single-object
   * encoding writes after {@code C3 01} (little-endian).
   */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  static List<Schema> load(ClassLoader loader, String dir, List<String> names) {
    List<Schema> schemas = new ArrayList<>(names.size());
    for (String name : names) {
      String path = dir + name;
      try (InputStream in = loader.getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("schema history resource " + path + " is missing");
        }
        // A parser per file: each version defines the records it embeds, under the same names.
        schemas.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema history resource " + path, e);
      }
    }
    return schemas;
  }
}
