package io.simjoin.operators.join;

import io.simjoin.state.Match;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What {@code ShardJoin} sends to {@code TopKMerge}: one shard's partial top-k of a query, or the
 * shard's mark that it dropped a standing query's registration. Keyed by {@link #mergeKey()}.
 *
 * <pre>{@code
 * PartialTopK p = PartialTopK.partial("catalogue", "user-7", 2, epoch, 10,
 *     List.of(new Match("sku-4", 0.93f)), JoinOutput.Cause.ITEM_UPSERTED, "sku-4", itemTimestamp);
 * PartialTopK c = PartialTopK.cancelMark("catalogue", "user-7", 2, epoch, cancelTimestamp);
 * partials.keyBy(PartialTopK::mergeKey);
 * }</pre>
 *
 * <p>{@code epoch} identifies the registration of a standing query (or the one-shot query), so the
 * merge can drop partials of a replaced registration still in flight. {@code timestamp} is that of
 * the input event that caused the partial. A cancel mark has no cause, no matches and k = 0.
 */
@PublicEvolving
@TypeInfo(JoinTypeInfo.PartialTopKFactory.class)
public final class PartialTopK {

  private final String namespace;
  private final String queryId;
  private final int shard;
  private final long epoch;
  private final int k;
  private final List<Match> matches;
  private final JoinOutput.Cause cause;
  private final String itemId;
  private final boolean cancelMark;
  private final long timestamp;

  private PartialTopK(
      String namespace,
      String queryId,
      int shard,
      long epoch,
      int k,
      List<Match> matches,
      JoinOutput.Cause cause,
      String itemId,
      boolean cancelMark,
      long timestamp) {
    this.namespace = namespace;
    this.queryId = queryId;
    this.shard = shard;
    this.epoch = epoch;
    this.k = k;
    this.matches = matches;
    this.cause = cause;
    this.itemId = itemId;
    this.cancelMark = cancelMark;
    this.timestamp = timestamp;
  }

  /**
   * A shard's partial top-k.
   *
   * @param matches at most k, best first ({@link Match#BEST_FIRST}); copied
   * @param itemId the item that caused it, or null
   * @throws NullPointerException if namespace, queryId, matches, an entry of it, or cause is null
   * @throws IllegalArgumentException if shard is negative, k is not positive, or matches are more
   *     than k or not best first
   */
  public static PartialTopK partial(
      String namespace,
      String queryId,
      int shard,
      long epoch,
      int k,
      List<Match> matches,
      JoinOutput.Cause cause,
      String itemId,
      long timestamp) {
    Objects.requireNonNull(namespace, "PartialTopK: namespace is null");
    Objects.requireNonNull(queryId, "PartialTopK: queryId is null");
    Objects.requireNonNull(matches, "PartialTopK: matches is null; pass an empty list for none");
    Objects.requireNonNull(cause, "PartialTopK: cause is null; use cancelMark(...) for a cancel");
    checkShard(shard);
    if (k < 1) {
      throw new IllegalArgumentException("PartialTopK: k is " + k + "; it must be >= 1");
    }
    List<Match> copy = List.copyOf(matches);
    if (copy.size() > k) {
      throw new IllegalArgumentException(
          "PartialTopK: " + copy.size() + " matches for k = " + k + "; at most k are sent");
    }
    for (int i = 1; i < copy.size(); i++) {
      if (Match.BEST_FIRST.compare(copy.get(i - 1), copy.get(i)) >= 0) {
        throw new IllegalArgumentException(
            "PartialTopK: matches must be best first (score descending, ties by id ascending),"
                + " but entry "
                + (i - 1)
                + " "
                + copy.get(i - 1)
                + " does not come before entry "
                + i
                + " "
                + copy.get(i));
      }
    }
    return new PartialTopK(
        namespace, queryId, shard, epoch, k, copy, cause, itemId, false, timestamp);
  }

  /**
   * A shard's mark that it dropped registration {@code epoch} of a standing query: no partial of
   * that epoch follows from this shard.
   *
   * @throws NullPointerException if namespace or queryId is null
   * @throws IllegalArgumentException if shard is negative
   */
  public static PartialTopK cancelMark(
      String namespace, String queryId, int shard, long epoch, long timestamp) {
    Objects.requireNonNull(namespace, "PartialTopK: namespace is null");
    Objects.requireNonNull(queryId, "PartialTopK: queryId is null");
    checkShard(shard);
    return new PartialTopK(
        namespace, queryId, shard, epoch, 0, List.of(), null, null, true, timestamp);
  }

  /** For the deserializer: {@code matches} is unmodifiable and was checked when first built. */
  static PartialTopK trusted(
      String namespace,
      String queryId,
      int shard,
      long epoch,
      int k,
      List<Match> matches,
      JoinOutput.Cause cause,
      String itemId,
      boolean cancelMark,
      long timestamp) {
    return new PartialTopK(
        namespace, queryId, shard, epoch, k, matches, cause, itemId, cancelMark, timestamp);
  }

  private static void checkShard(int shard) {
    if (shard < 0) {
      throw new IllegalArgumentException("PartialTopK: shard is " + shard + "; it must be >= 0");
    }
  }

  /** The key {@code TopKMerge} is keyed by: {@link JoinKeys#query(String, String)}. */
  public String mergeKey() {
    return JoinKeys.query(namespace, queryId);
  }

  public String namespace() {
    return namespace;
  }

  public String queryId() {
    return queryId;
  }

  /** The shard that sent it, 0 .. S-1. */
  public int shard() {
    return shard;
  }

  /** The registration of the standing query, or the one-shot query's id in time. */
  public long epoch() {
    return epoch;
  }

  /** How many matches the query asked for; 0 for a cancel mark. */
  public int k() {
    return k;
  }

  /** The shard's top-k, best first; unmodifiable, empty for a cancel mark. */
  public List<Match> matches() {
    return matches;
  }

  /** Why the partial was sent; null for a cancel mark. */
  public JoinOutput.Cause cause() {
    return cause;
  }

  /** The item that caused the partial, or null. */
  public String itemId() {
    return itemId;
  }

  public boolean isCancelMark() {
    return cancelMark;
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
    if (!(o instanceof PartialTopK)) {
      return false;
    }
    PartialTopK p = (PartialTopK) o;
    return shard == p.shard
        && epoch == p.epoch
        && k == p.k
        && cancelMark == p.cancelMark
        && timestamp == p.timestamp
        && namespace.equals(p.namespace)
        && queryId.equals(p.queryId)
        && matches.equals(p.matches)
        && cause == p.cause
        && Objects.equals(itemId, p.itemId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        namespace, queryId, shard, epoch, k, matches, cause, itemId, cancelMark, timestamp);
  }

  @Override
  public String toString() {
    return "PartialTopK{namespace="
        + namespace
        + " queryId="
        + queryId
        + " shard="
        + shard
        + " epoch="
        + epoch
        + (cancelMark
            ? " cancelMark"
            : " k=" + k + " cause=" + cause + " itemId=" + itemId + " matches=" + matches)
        + " timestamp="
        + timestamp
        + '}';
  }
}
