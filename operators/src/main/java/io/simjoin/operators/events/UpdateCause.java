package io.simjoin.operators.events;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Why a {@link TopKUpdate} was emitted, with the item that caused it when an item did.
 *
 * <pre>{@code
 * UpdateCause.registered();            // a REGISTER was answered
 * UpdateCause.itemUpserted("sku-17");  // sku-17 entered (or moved within) the top-k
 * }</pre>
 *
 * @param kind what happened
 * @param itemId the item that caused the update: non-null exactly for {@link Kind#ITEM_UPSERTED}
 *     and {@link Kind#ITEM_DELETED}
 */
@PublicEvolving
public record UpdateCause(Kind kind, String itemId) {

  /** What happened. */
  public enum Kind {
    /** The answer to a ONCE query. */
    ONCE,
    /** The first answer to a REGISTER (also when it replaced a query with the same id). */
    REGISTERED,
    /** An item upsert changed the top-k of a standing query. */
    ITEM_UPSERTED,
    /** An item delete changed the top-k of a standing query. */
    ITEM_DELETED,
    /**
     * The standing query was cancelled; the update has no matches, and a sink writing to a
     * log-compacted topic may write it as a tombstone so that the query's last top-k goes away.
     */
    CANCELLED;

    /** Whether an update of this kind names the item that caused it. */
    public boolean hasItem() {
      return this == ITEM_UPSERTED || this == ITEM_DELETED;
    }
  }

  private static final UpdateCause ONCE = new UpdateCause(Kind.ONCE, null);
  private static final UpdateCause REGISTERED = new UpdateCause(Kind.REGISTERED, null);
  private static final UpdateCause CANCELLED = new UpdateCause(Kind.CANCELLED, null);

  /**
   * @throws NullPointerException if kind is null, or itemId is null for an item kind
   * @throws IllegalArgumentException if itemId is given for a kind that has no item
   */
  public UpdateCause {
    Objects.requireNonNull(kind, "UpdateCause: kind is null");
    if (kind.hasItem()) {
      Objects.requireNonNull(itemId, "UpdateCause " + kind + ": itemId is null; name the item");
    } else if (itemId != null) {
      throw new IllegalArgumentException(
          "UpdateCause " + kind + " has no item, but itemId " + Text.quote(itemId) + " was given");
    }
  }

  /** The answer to a ONCE query. */
  public static UpdateCause once() {
    return ONCE;
  }

  /** The first answer to a REGISTER. */
  public static UpdateCause registered() {
    return REGISTERED;
  }

  /** A standing query was cancelled. */
  public static UpdateCause cancelled() {
    return CANCELLED;
  }

  /** The upsert of {@code itemId} changed the top-k. */
  public static UpdateCause itemUpserted(String itemId) {
    return new UpdateCause(Kind.ITEM_UPSERTED, itemId);
  }

  /** The delete of {@code itemId} changed the top-k. */
  public static UpdateCause itemDeleted(String itemId) {
    return new UpdateCause(Kind.ITEM_DELETED, itemId);
  }

  @Override
  public String toString() {
    return kind.hasItem() ? kind + "(" + Text.quote(itemId) + ")" : kind.toString();
  }
}
