package io.simjoin.operators.events;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * An alert: an item scored at least a query's threshold, or (a retraction) such an item was
 * deleted.
 *
 * <pre>{@code
 * ThresholdMatch hit = ThresholdMatch.match("catalogue", "alert-3", "sku-2", 0.93f, ts);
 * ThresholdMatch gone = ThresholdMatch.retraction("catalogue", "alert-3", "sku-2", 0.93f, ts);
 * }</pre>
 *
 * <p>Each qualifying item is reported once when it arrives; a standing query also gets a retraction
 * when the item is deleted, carrying the score the item had. {@code timestamp} is the timestamp of
 * the input event that caused the alert.
 */
@PublicEvolving
@TypeInfo(EventTypeInfo.ThresholdMatchFactory.class)
public final class ThresholdMatch {

  private final String namespace;
  private final String queryId;
  private final String itemId;
  private final float score;
  private final boolean retraction;
  private final long timestamp;

  private ThresholdMatch(
      String namespace,
      String queryId,
      String itemId,
      float score,
      boolean retraction,
      long timestamp) {
    this.namespace = namespace;
    this.queryId = queryId;
    this.itemId = itemId;
    this.score = score;
    this.retraction = retraction;
    this.timestamp = timestamp;
  }

  /**
   * An item passed the query's threshold.
   *
   * @throws NullPointerException if namespace, queryId or itemId is null
   */
  public static ThresholdMatch match(
      String namespace, String queryId, String itemId, float score, long timestamp) {
    return of(namespace, queryId, itemId, score, false, timestamp);
  }

  /**
   * A previously matched item was deleted.
   *
   * @throws NullPointerException if namespace, queryId or itemId is null
   */
  public static ThresholdMatch retraction(
      String namespace, String queryId, String itemId, float score, long timestamp) {
    return of(namespace, queryId, itemId, score, true, timestamp);
  }

  /**
   * A match or a retraction.
   *
   * @throws NullPointerException if namespace, queryId or itemId is null
   */
  public static ThresholdMatch of(
      String namespace,
      String queryId,
      String itemId,
      float score,
      boolean retraction,
      long timestamp) {
    Objects.requireNonNull(namespace, "ThresholdMatch: namespace is null");
    Objects.requireNonNull(queryId, "ThresholdMatch: queryId is null");
    Objects.requireNonNull(itemId, "ThresholdMatch: itemId is null");
    return new ThresholdMatch(namespace, queryId, itemId, score, retraction, timestamp);
  }

  /** The namespace of the query and the item. */
  public String namespace() {
    return namespace;
  }

  /** The alerting query's id. */
  public String queryId() {
    return queryId;
  }

  /** The item that passed the threshold (or, for a retraction, was deleted). */
  public String itemId() {
    return itemId;
  }

  /** The item's inner product with the query, in float32. */
  public float score() {
    return score;
  }

  /** True if the item was deleted: a consumer should withdraw the earlier match. */
  public boolean isRetraction() {
    return retraction;
  }

  /** The causing input event's timestamp, milliseconds since the epoch. */
  public long timestamp() {
    return timestamp;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ThresholdMatch)) {
      return false;
    }
    ThresholdMatch m = (ThresholdMatch) o;
    return Float.compare(score, m.score) == 0
        && retraction == m.retraction
        && timestamp == m.timestamp
        && namespace.equals(m.namespace)
        && queryId.equals(m.queryId)
        && itemId.equals(m.itemId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, queryId, itemId, score, retraction, timestamp);
  }

  @Override
  public String toString() {
    return "ThresholdMatch{"
        + (retraction ? "RETRACTION" : "MATCH")
        + " namespace="
        + Text.quote(namespace)
        + " queryId="
        + Text.quote(queryId)
        + " itemId="
        + Text.quote(itemId)
        + " score="
        + score
        + " timestamp="
        + timestamp
        + '}';
  }
}
