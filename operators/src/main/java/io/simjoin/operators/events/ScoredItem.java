package io.simjoin.operators.events;

import java.util.Comparator;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One entry of a top-k: an item and its inner product with the query.
 *
 * @param itemId the item's id
 * @param score the inner product of the item's and the query's vectors, in float32
 */
@PublicEvolving
public record ScoredItem(String itemId, float score) {

  /**
   * Best first, the contract's order: score descending, ties by item id ascending ({@link
   * String#compareTo}). Scores compare with {@link Float#compare}, so the order is total.
   */
  public static final Comparator<ScoredItem> BEST_FIRST =
      (a, b) -> {
        int c = Float.compare(b.score, a.score);
        return c != 0 ? c : a.itemId.compareTo(b.itemId);
      };

  /**
   * @throws NullPointerException if itemId is null
   */
  public ScoredItem {
    Objects.requireNonNull(itemId, "ScoredItem: itemId is null");
  }

  @Override
  public String toString() {
    return Text.quote(itemId) + "=" + score;
  }
}
