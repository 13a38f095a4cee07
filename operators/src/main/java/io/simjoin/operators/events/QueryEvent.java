package io.simjoin.operators.events;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A query asks for the items with the largest inner product with its vector: one element of the
 * query input stream.
 *
 * <pre>{@code
 * // the current top 10, once
 * QueryEvent lookup = QueryEvent.once("catalogue", "req-1", userVector, 10, ts);
 * // a standing query: answered now and again whenever its top 10 changes
 * QueryEvent user = QueryEvent.register("catalogue", "user-7", userVector, 10, ts);
 * // ... that also alerts on every item scoring at least 0.8
 * QueryEvent alert = user.withThreshold(0.8f);
 * QueryEvent stop = QueryEvent.cancel("catalogue", "user-7", ts);
 * }</pre>
 *
 * <p>As with {@link ItemEvent}, {@link #once}, {@link #register} and {@link #cancel} fail fast on
 * null arguments, while {@link #of} keeps whatever a decoder read so that {@link
 * io.simjoin.operators.validation.EventValidator} can turn bad input into a {@link DeadLetter}.
 *
 * <p><b>Threshold encoding.</b> The threshold is optional: {@link #hasThreshold()} says whether
 * there is one and {@link #threshold()} reads it as a float (scores are float32 inner products, so
 * an item matches when {@code score >= threshold} in float). A decoder passes a nullable {@link
 * Float} to {@link #of} (null: no threshold), and {@link #thresholdOrNull()} gives it back that way
 * for encoders. NaN is a present but invalid threshold, not an absent one.
 *
 * <p>A CANCEL carries only namespace, id and timestamp: {@link #of} drops a vector, k and threshold
 * sent with it (k reads 0).
 */
@PublicEvolving
@TypeInfo(EventTypeInfo.QueryEventFactory.class)
public final class QueryEvent {

  /** What the query asks for. */
  public enum Op {
    /** Answer once with the current exact top-k; keep nothing. */
    ONCE,
    /**
     * Answer now, keep the query and answer again whenever its top-k changes; replaces a standing
     * query with the same id.
     */
    REGISTER,
    /** Remove the standing query with this id. */
    CANCEL
  }

  private final String namespace;
  private final String id;
  private final Op op;
  private final float[] vector;
  private final int k;
  private final boolean hasThreshold;
  private final float threshold;
  private final long timestamp;
  private final Origin origin;

  private QueryEvent(
      String namespace,
      String id,
      Op op,
      float[] vector,
      int k,
      boolean hasThreshold,
      float threshold,
      long timestamp,
      Origin origin) {
    this.namespace = namespace;
    this.id = id;
    this.op = op;
    this.vector = vector;
    this.k = k;
    this.hasThreshold = hasThreshold;
    this.threshold = hasThreshold ? threshold : 0f;
    this.timestamp = timestamp;
    this.origin = origin;
  }

  /**
   * A one-shot query for the current top-k.
   *
   * @param namespace the index to search
   * @param id the query's id: the answer carries it
   * @param vector the query vector; copied
   * @param k how many items to return
   * @param timestamp event time in milliseconds since the epoch
   * @throws NullPointerException if namespace, id or vector is null
   */
  public static QueryEvent once(
      String namespace, String id, float[] vector, int k, long timestamp) {
    return searching(namespace, id, Op.ONCE, vector, k, timestamp, "QueryEvent.once");
  }

  /**
   * A standing query: answered at once and again every time its top-k changes.
   *
   * @param namespace the index to search
   * @param id the query's id, unique within its namespace; re-registering it replaces the query
   * @param vector the query vector; copied
   * @param k how many items to keep
   * @param timestamp event time in milliseconds since the epoch
   * @throws NullPointerException if namespace, id or vector is null
   */
  public static QueryEvent register(
      String namespace, String id, float[] vector, int k, long timestamp) {
    return searching(namespace, id, Op.REGISTER, vector, k, timestamp, "QueryEvent.register");
  }

  /**
   * Removes a standing query.
   *
   * @throws NullPointerException if namespace or id is null
   */
  public static QueryEvent cancel(String namespace, String id, long timestamp) {
    requireNamespaceAndId(namespace, id, "QueryEvent.cancel");
    return new QueryEvent(namespace, id, Op.CANCEL, null, 0, false, 0f, timestamp, null);
  }

  private static QueryEvent searching(
      String namespace, String id, Op op, float[] vector, int k, long timestamp, String factory) {
    requireNamespaceAndId(namespace, id, factory);
    Objects.requireNonNull(vector, factory + ": vector is null; pass the query vector");
    return new QueryEvent(namespace, id, op, vector.clone(), k, false, 0f, timestamp, null);
  }

  /**
   * A query event as a decoder read it, valid or not: only {@code op} must be non-null.
   *
   * @param namespace as received; may be null or empty
   * @param id as received; may be null or empty
   * @param op the operation
   * @param vector as received (copied); may be null; dropped on CANCEL
   * @param k as received; ignored on CANCEL
   * @param threshold the alert threshold, or null for none; ignored on CANCEL
   * @param timestamp event time in milliseconds since the epoch
   * @throws NullPointerException if op is null
   */
  public static QueryEvent of(
      String namespace, String id, Op op, float[] vector, int k, Float threshold, long timestamp) {
    Objects.requireNonNull(
        op,
        "QueryEvent.of: op is null; a record without a readable op is undecodable: route it"
            + " with DeadLetter.undecodable(...)");
    if (op == Op.CANCEL) {
      return new QueryEvent(namespace, id, op, null, 0, false, 0f, timestamp, null);
    }
    return new QueryEvent(
        namespace,
        id,
        op,
        vector == null ? null : vector.clone(),
        k,
        threshold != null,
        threshold == null ? 0f : threshold,
        timestamp,
        null);
  }

  /** For deserializers: the array is owned by the new event. */
  static QueryEvent trusted(
      String namespace,
      String id,
      Op op,
      float[] vector,
      int k,
      boolean hasThreshold,
      float threshold,
      long timestamp,
      Origin origin) {
    return new QueryEvent(namespace, id, op, vector, k, hasThreshold, threshold, timestamp, origin);
  }

  /**
   * This event with the place it was read from; dead letters made from it carry that place.
   *
   * @param origin where the record was read, or null for none
   */
  public QueryEvent withOrigin(Origin origin) {
    return new QueryEvent(namespace, id, op, vector, k, hasThreshold, threshold, timestamp, origin);
  }

  /** Where the event was read (a Kafka record), if its decoder said. */
  public Optional<Origin> origin() {
    return Optional.ofNullable(origin);
  }

  private static void requireNamespaceAndId(String namespace, String id, String factory) {
    Objects.requireNonNull(namespace, factory + ": namespace is null; pass the index to search");
    Objects.requireNonNull(id, factory + ": id is null; pass the query's id");
  }

  /**
   * This query with an alert threshold: every item scoring at least {@code threshold} is also
   * emitted as a {@link ThresholdMatch}.
   *
   * @throws IllegalStateException on a CANCEL, which carries no threshold
   */
  public QueryEvent withThreshold(float threshold) {
    if (op == Op.CANCEL) {
      throw new IllegalStateException(
          "withThreshold on a CANCEL: put the threshold on the ONCE or REGISTER event");
    }
    return new QueryEvent(namespace, id, op, vector, k, true, threshold, timestamp, origin);
  }

  /** The namespace (an independent index); null or empty only on events that fail validation. */
  public String namespace() {
    return namespace;
  }

  /** The query's id; null or empty only on events that fail validation. */
  public String id() {
    return id;
  }

  /** ONCE, REGISTER or CANCEL. */
  public Op op() {
    return op;
  }

  /** How many items the query asks for; 0 on a CANCEL. */
  public int k() {
    return k;
  }

  /** Whether the query has an alert threshold. */
  public boolean hasThreshold() {
    return hasThreshold;
  }

  /**
   * The alert threshold.
   *
   * @throws IllegalStateException if there is none ({@link #hasThreshold()} is false)
   */
  public float threshold() {
    if (!hasThreshold) {
      throw new IllegalStateException(
          "QueryEvent " + Text.quote(id) + " has no threshold: check hasThreshold() first");
    }
    return threshold;
  }

  /** The threshold boxed, or null if there is none: the shape an Avro {@code [null, float]} has. */
  public Float thresholdOrNull() {
    return hasThreshold ? threshold : null;
  }

  /** Whether a vector is present: always on a valid ONCE or REGISTER, never on a CANCEL. */
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
      throw new IllegalStateException("QueryEvent " + Text.quote(id) + " has no vector");
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
    if (!(o instanceof QueryEvent)) {
      return false;
    }
    QueryEvent e = (QueryEvent) o;
    return k == e.k
        && hasThreshold == e.hasThreshold
        && Float.compare(threshold, e.threshold) == 0
        && timestamp == e.timestamp
        && op == e.op
        && Objects.equals(namespace, e.namespace)
        && Objects.equals(id, e.id)
        && Objects.equals(origin, e.origin)
        && Arrays.equals(vector, e.vector);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hash(namespace, id, op, k, hasThreshold, threshold, timestamp, origin)
        + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("QueryEvent{")
            .append(op)
            .append(" namespace=")
            .append(Text.quote(namespace))
            .append(" id=")
            .append(Text.quote(id));
    if (op != Op.CANCEL) {
      sb.append(" k=").append(k);
      if (hasThreshold) {
        sb.append(" threshold=").append(threshold);
      }
      sb.append(" vector=").append(Text.vector(vector));
    }
    sb.append(" timestamp=").append(timestamp);
    if (origin != null) {
      sb.append(" origin=").append(origin);
    }
    return sb.append('}').toString();
  }
}
