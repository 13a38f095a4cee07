package io.simjoin.operators.events;

import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The current exact top-k of a query: one element of the output stream.
 *
 * <pre>{@code
 * TopKUpdate u = TopKUpdate.of("catalogue", "user-7", 3,
 *     List.of(new ScoredItem("sku-2", 0.91f), new ScoredItem("sku-9", 0.87f)),
 *     UpdateCause.itemUpserted("sku-2"), ts);
 * }</pre>
 *
 * <p>An upsert keyed by (namespace, queryId): each update replaces the previous one, so a
 * log-compacted topic keyed that way holds every query's current top-k. {@code seq} grows by one
 * per update emitted for the query, so a consumer can tell a newer update from an older one and see
 * a gap. Matches are best first (score descending, ties by item id ascending, {@link
 * ScoredItem#BEST_FIRST}); the factory rejects any other order. The list may hold fewer than k
 * entries (the namespace has fewer items) and is empty for {@link UpdateCause.Kind#CANCELLED}.
 *
 * <p>{@code timestamp} is the timestamp of the input event that caused the update (the query for
 * ONCE and REGISTER, the item for item causes), so a replay emits the same records.
 */
@PublicEvolving
@TypeInfo(EventTypeInfo.TopKUpdateFactory.class)
public final class TopKUpdate {

  private final String namespace;
  private final String queryId;
  private final long seq;
  private final List<ScoredItem> matches;
  private final UpdateCause cause;
  private final long timestamp;

  private TopKUpdate(
      String namespace,
      String queryId,
      long seq,
      List<ScoredItem> matches,
      UpdateCause cause,
      long timestamp) {
    this.namespace = namespace;
    this.queryId = queryId;
    this.seq = seq;
    this.matches = matches;
    this.cause = cause;
    this.timestamp = timestamp;
  }

  /**
   * A top-k update.
   *
   * @param namespace the query's namespace
   * @param queryId the query's id
   * @param seq the update's number for this query, non-negative
   * @param matches best first; copied
   * @param cause why the update was emitted
   * @param timestamp the causing event's timestamp, milliseconds since the epoch
   * @throws NullPointerException if namespace, queryId, matches, an entry of it, or cause is null
   * @throws IllegalArgumentException if seq is negative, matches are not best first, or a CANCELLED
   *     update has matches
   */
  public static TopKUpdate of(
      String namespace,
      String queryId,
      long seq,
      List<ScoredItem> matches,
      UpdateCause cause,
      long timestamp) {
    Objects.requireNonNull(namespace, "TopKUpdate: namespace is null");
    Objects.requireNonNull(queryId, "TopKUpdate: queryId is null");
    Objects.requireNonNull(matches, "TopKUpdate: matches is null; pass an empty list for none");
    Objects.requireNonNull(cause, "TopKUpdate: cause is null");
    if (seq < 0) {
      throw new IllegalArgumentException("TopKUpdate: seq is " + seq + "; it must be >= 0");
    }
    List<ScoredItem> copy = List.copyOf(matches);
    for (int i = 1; i < copy.size(); i++) {
      if (ScoredItem.BEST_FIRST.compare(copy.get(i - 1), copy.get(i)) >= 0) {
        throw new IllegalArgumentException(
            "TopKUpdate: matches must be best first (score descending, ties by item id"
                + " ascending), but entry "
                + (i - 1)
                + " "
                + copy.get(i - 1)
                + " does not come before entry "
                + i
                + " "
                + copy.get(i)
                + "; sort with ScoredItem.BEST_FIRST");
      }
    }
    if (cause.kind() == UpdateCause.Kind.CANCELLED && !copy.isEmpty()) {
      throw new IllegalArgumentException(
          "TopKUpdate: a CANCELLED update has no matches, but " + copy.size() + " were given");
    }
    return new TopKUpdate(namespace, queryId, seq, copy, cause, timestamp);
  }

  /** For deserializers: the list is unmodifiable and was written by {@link #of}. */
  static TopKUpdate trusted(
      String namespace,
      String queryId,
      long seq,
      List<ScoredItem> matches,
      UpdateCause cause,
      long timestamp) {
    return new TopKUpdate(namespace, queryId, seq, matches, cause, timestamp);
  }

  /** The query's namespace. */
  public String namespace() {
    return namespace;
  }

  /** The query's id. */
  public String queryId() {
    return queryId;
  }

  /** The update's number for this (namespace, queryId): one more than the previous update's. */
  public long seq() {
    return seq;
  }

  /** The top-k, best first; unmodifiable. */
  public List<ScoredItem> matches() {
    return matches;
  }

  /** Why the update was emitted. */
  public UpdateCause cause() {
    return cause;
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
    if (!(o instanceof TopKUpdate)) {
      return false;
    }
    TopKUpdate u = (TopKUpdate) o;
    return seq == u.seq
        && timestamp == u.timestamp
        && namespace.equals(u.namespace)
        && queryId.equals(u.queryId)
        && matches.equals(u.matches)
        && cause.equals(u.cause);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, queryId, seq, matches, cause, timestamp);
  }

  @Override
  public String toString() {
    return "TopKUpdate{namespace="
        + Text.quote(namespace)
        + " queryId="
        + Text.quote(queryId)
        + " seq="
        + seq
        + " cause="
        + cause
        + " matches="
        + matches
        + " timestamp="
        + timestamp
        + '}';
  }
}
