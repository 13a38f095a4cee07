package io.simjoin.operators.events;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * An item (a catalogue entry, a document, an ad) was upserted or deleted: one element of the item
 * input stream.
 *
 * <pre>{@code
 * ItemEvent put = ItemEvent.upsert("catalogue", "sku-17", new float[] {0.1f, 0.7f, 0.2f}, ts);
 * ItemEvent del = ItemEvent.delete("catalogue", "sku-17", ts);
 * // in a decoder, where any field may be missing or wrong:
 * ItemEvent raw = ItemEvent.of(record.ns, record.id, ItemEvent.Op.UPSERT, record.vector, ts);
 * Optional<DeadLetter> bad = validator.checkItem(raw);
 * }</pre>
 *
 * <p>Two kinds of factory: {@link #upsert} and {@link #delete} are for code that builds events and
 * fail fast on a null argument; {@link #of} is for decoders and keeps whatever the record carried
 * (a null or empty namespace or id, a missing or non-finite vector), so that {@link
 * io.simjoin.operators.validation.EventValidator} can turn bad input into a {@link DeadLetter}
 * instead of an exception that fails the job. Only {@code op} must be known: a record whose
 * operation cannot be read is undecodable ({@link DeadLetter#undecodable}).
 *
 * <p>A vector sent with a DELETE is dropped: producers that put the last value on a tombstone (as
 * change-data-capture tools do) are not punished, and nothing downstream has to ignore it.
 *
 * <p>Immutable: the factories copy the vector and {@link #vector()} returns a copy; {@link
 * #component(int)} reads without copying. Flink serializes it with {@link ItemEventSerializer}
 * (through the {@link TypeInfo} annotation), never with Kryo.
 */
@PublicEvolving
@TypeInfo(EventTypeInfo.ItemEventFactory.class)
public final class ItemEvent {

  /** What happened to the item. */
  public enum Op {
    /** Insert the item, or replace its vector if the id is already present. */
    UPSERT,
    /** Remove the item. */
    DELETE
  }

  private final String namespace;
  private final String id;
  private final Op op;
  private final float[] vector;
  private final long timestamp;
  private final Origin origin;

  private ItemEvent(
      String namespace, String id, Op op, float[] vector, long timestamp, Origin origin) {
    this.namespace = namespace;
    this.id = id;
    this.op = op;
    this.vector = vector;
    this.timestamp = timestamp;
    this.origin = origin;
  }

  /**
   * An item is inserted or its vector replaced.
   *
   * @param namespace the index the item belongs to (a catalogue, a tenant)
   * @param id the item's id, unique within its namespace
   * @param vector the item's vector; copied
   * @param timestamp event time in milliseconds since the epoch
   * @throws NullPointerException if namespace, id or vector is null
   */
  public static ItemEvent upsert(String namespace, String id, float[] vector, long timestamp) {
    requireNamespaceAndId(namespace, id, "ItemEvent.upsert");
    Objects.requireNonNull(
        vector, "ItemEvent.upsert: vector is null; pass the item's vector, or use delete(...)");
    return new ItemEvent(namespace, id, Op.UPSERT, vector.clone(), timestamp, null);
  }

  /**
   * An item is removed.
   *
   * @param namespace the index the item belongs to
   * @param id the item's id
   * @param timestamp event time in milliseconds since the epoch
   * @throws NullPointerException if namespace or id is null
   */
  public static ItemEvent delete(String namespace, String id, long timestamp) {
    requireNamespaceAndId(namespace, id, "ItemEvent.delete");
    return new ItemEvent(namespace, id, Op.DELETE, null, timestamp, null);
  }

  /**
   * An item event as a decoder read it, valid or not: only {@code op} must be non-null. Check the
   * result with {@link io.simjoin.operators.validation.EventValidator} before it reaches an index.
   *
   * @param namespace the namespace as received; may be null or empty
   * @param id the id as received; may be null or empty
   * @param op the operation
   * @param vector the vector as received (copied); may be null; dropped on DELETE
   * @param timestamp event time in milliseconds since the epoch
   * @throws NullPointerException if op is null
   */
  public static ItemEvent of(String namespace, String id, Op op, float[] vector, long timestamp) {
    Objects.requireNonNull(
        op,
        "ItemEvent.of: op is null; a record without a readable op is undecodable: route it"
            + " with DeadLetter.undecodable(...)");
    float[] kept = op == Op.DELETE || vector == null ? null : vector.clone();
    return new ItemEvent(namespace, id, op, kept, timestamp, null);
  }

  /** For deserializers: the array is owned by the new event. */
  static ItemEvent trusted(
      String namespace, String id, Op op, float[] vector, long timestamp, Origin origin) {
    return new ItemEvent(namespace, id, op, vector, timestamp, origin);
  }

  /**
   * This event with the place it was read from; dead letters made from it carry that place.
   *
   * @param origin where the record was read, or null for none
   */
  public ItemEvent withOrigin(Origin origin) {
    return new ItemEvent(namespace, id, op, vector, timestamp, origin);
  }

  /** Where the event was read (a Kafka record), if its decoder said. */
  public Optional<Origin> origin() {
    return Optional.ofNullable(origin);
  }

  private static void requireNamespaceAndId(String namespace, String id, String factory) {
    Objects.requireNonNull(
        namespace, factory + ": namespace is null; pass the index this item belongs to");
    Objects.requireNonNull(id, factory + ": id is null; pass the item's id");
  }

  /** The namespace (an independent index); null or empty only on events that fail validation. */
  public String namespace() {
    return namespace;
  }

  /** The item's id; null or empty only on events that fail validation. */
  public String id() {
    return id;
  }

  /** UPSERT or DELETE. */
  public Op op() {
    return op;
  }

  /** Whether a vector is present: always on a valid UPSERT, never on a DELETE. */
  public boolean hasVector() {
    return vector != null;
  }

  /** The number of components, or 0 without a vector (see {@link #hasVector()}). */
  public int dimension() {
    return vector == null ? 0 : vector.length;
  }

  /**
   * One component, without copying the vector.
   *
   * @throws IllegalStateException if there is no vector
   * @throws ArrayIndexOutOfBoundsException if {@code i} is not below {@link #dimension()}
   */
  public float component(int i) {
    if (vector == null) {
      throw new IllegalStateException("ItemEvent " + Text.quote(id) + " has no vector");
    }
    return vector[i];
  }

  /** A copy of the vector, or null if there is none. */
  public float[] vector() {
    return vector == null ? null : vector.clone();
  }

  /** The shared array, for serializers only: must not be modified. */
  float[] vectorNoCopy() {
    return vector;
  }

  /** Event time in milliseconds since the epoch, as the producer set it. */
  public long timestamp() {
    return timestamp;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ItemEvent)) {
      return false;
    }
    ItemEvent e = (ItemEvent) o;
    return timestamp == e.timestamp
        && op == e.op
        && Objects.equals(namespace, e.namespace)
        && Objects.equals(id, e.id)
        && Objects.equals(origin, e.origin)
        && Arrays.equals(vector, e.vector);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hash(namespace, id, op, timestamp, origin) + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "ItemEvent{"
        + op
        + " namespace="
        + Text.quote(namespace)
        + " id="
        + Text.quote(id)
        + (op == Op.DELETE ? "" : " vector=" + Text.vector(vector))
        + " timestamp="
        + timestamp
        + (origin == null ? "" : " origin=" + origin)
        + '}';
  }
}
