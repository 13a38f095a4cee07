package io.simjoin.connectors.codec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * A {@link SpecificData} that hands out simjoin's generated classes without Avro's name-based class
 * lookup, so decoding needs no {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES}.
 *
 * <p>Why: in Avro 1.12.2 every class a {@code SpecificDatumReader} instantiates (each record, enum
 * or fixed, found by {@link SpecificData#getClass(Schema)}) is loaded through {@code
 * ClassUtils.forName}, which passes it to {@code ClassSecurityValidator}; the default validator
 * trusts a few {@code java.lang} classes and whatever the system properties {@code
 * org.apache.avro.SERIALIZABLE_PACKAGES} / {@code SERIALIZABLE_CLASSES} named when its class was
 * initialized, and throws {@code SecurityException: Forbidden io.simjoin.schemas.avro.ItemEvent!}
 * for everything else. Encoding loads no class by name and is not affected.
 *
 * <p>The alternatives are worse: the property is read once, in a static initializer, so setting it
 * from code works only if nothing in the JVM touched Avro first (Flink itself may have), and {@code
 * ClassSecurityValidator.setGlobal} changes the policy for every user of that Avro copy in the JVM
 * (a TaskManager may run other jobs) and can be replaced by theirs. This model changes nothing
 * global: it resolves the fixed set of names that the schemas it was built from define, from the
 * classes compiled beside this code, and leaves every other name to Avro, checks included.
 *
 * <p>Avro enables its fast reader only for the exact classes {@code GenericData} and {@code
 * SpecificData}, so {@link AvroEventCodec} builds its readers with {@code
 * FastReaderBuilder(thisModel)} itself; that builder asks this model for classes and enum constants
 * too ({@code getNewRecordSupplier}, {@code createEnum}), so the fast path is as free of the
 * property as the resolving one.
 */
final class TrustedSpecificData extends SpecificData {

  private final Map<String, Class<?>> generated;

  /**
   * @param schemas schemas whose named types all have generated classes in the same class loader as
   *     this one
   * @throws IllegalStateException if a generated class is missing
   */
  TrustedSpecificData(List<Schema> schemas) {
    super(TrustedSpecificData.class.getClassLoader());
    Map<String, Class<?>> classes = new HashMap<>();
    for (Schema s : schemas) {
      collect(s, classes);
    }
    this.generated = Map.copyOf(classes);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Class getClass(Schema schema) {
    Schema.Type t = schema.getType();
    if (t == Schema.Type.RECORD || t == Schema.Type.ENUM || t == Schema.Type.FIXED) {
      Class<?> c = generated.get(schema.getFullName());
      if (c != null) {
        return c;
      }
    }
    return super.getClass(schema);
  }

  /** The full names this model resolves itself. */
  Set<String> trustedNames() {
    return generated.keySet();
  }

  private void collect(Schema s, Map<String, Class<?>> classes) {
    switch (s.getType()) {
      case RECORD -> {
        if (classes.putIfAbsent(s.getFullName(), load(s)) == null) {
          s.getFields().forEach(f -> collect(f.schema(), classes));
        }
      }
      case ENUM, FIXED -> classes.putIfAbsent(s.getFullName(), load(s));
      case ARRAY -> collect(s.getElementType(), classes);
      case MAP -> collect(s.getValueType(), classes);
      case UNION -> s.getTypes().forEach(u -> collect(u, classes));
      default -> {}
    }
  }

  private Class<?> load(Schema s) {
    String name = SpecificData.getClassName(s);
    try {
      // Not initialized here: the reader initializes it when it first instantiates one.
      return Class.forName(name, false, getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "the generated class " + name + " of schema " + s.getFullName() + " is missing", e);
    }
  }
}
