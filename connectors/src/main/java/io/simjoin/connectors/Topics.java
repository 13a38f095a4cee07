package io.simjoin.connectors;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The five topics of a job: two in, three out.
 *
 * <pre>{@code
 * Topics t = Topics.DEFAULT.withUpdates("shop-recs");
 * }</pre>
 *
 * @param items item events in (upserts, deletes; a null value deletes the key's item)
 * @param queries query events in (ONCE, REGISTER, CANCEL)
 * @param updates top-k updates out, keyed by namespace and query id (compaction keeps the current)
 * @param alerts threshold matches and their retractions out
 * @param deadLetters rejected input out, with the reason and where it was read
 */
@PublicEvolving
public record Topics(
    String items, String queries, String updates, String alerts, String deadLetters) {

  /** {@code items}, {@code queries}, {@code updates}, {@code alerts}, {@code dead-letters}. */
  public static final Topics DEFAULT =
      new Topics("items", "queries", "updates", "alerts", "dead-letters");

  /**
   * @throws IllegalArgumentException if a name is empty, or two topics share a name
   */
  public Topics {
    String[] all = {items, queries, updates, alerts, deadLetters};
    String[] names = {"items", "queries", "updates", "alerts", "dead-letters"};
    for (int i = 0; i < all.length; i++) {
      if (all[i] == null || all[i].isBlank()) {
        throw new IllegalArgumentException("the " + names[i] + " topic name is empty");
      }
      for (int j = 0; j < i; j++) {
        if (Objects.equals(all[i], all[j])) {
          throw new IllegalArgumentException(
              "the "
                  + names[j]
                  + " and "
                  + names[i]
                  + " topics are both '"
                  + all[i]
                  + "': give each stream its own topic");
        }
      }
    }
  }

  /** The two input topics. */
  public String[] inputs() {
    return new String[] {items, queries};
  }

  /** The three output topics. */
  public String[] outputs() {
    return new String[] {updates, alerts, deadLetters};
  }

  public Topics withUpdates(String updates) {
    return new Topics(items, queries, updates, alerts, deadLetters);
  }
}
