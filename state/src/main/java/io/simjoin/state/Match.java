package io.simjoin.state;

import java.util.Comparator;

/**
 * One search result: a point id and its inner product with the query.
 *
 * @param id the point's id
 * @param score the inner product, as computed by the tree's dot kernel in float32
 */
public record Match(String id, float score) {

  /** Best first: score descending, then id ascending ({@link String#compareTo}). */
  public static final Comparator<Match> BEST_FIRST =
      (a, b) -> {
        int c = Float.compare(b.score, a.score);
        return c != 0 ? c : a.id.compareTo(b.id);
      };
}
