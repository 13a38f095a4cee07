package io.simjoin.operators.join;

import io.simjoin.state.Match;
import java.util.List;

/** Where a {@link ShardJoinCore} sends what it computes; the operator turns it into records. */
public interface JoinOutput {

  /** Why a partial top-k is emitted. */
  enum Cause {
    /** the answer to a one-shot query */
    ONCE,
    /** the first answer to a (re-)registered standing query */
    REGISTERED,
    /** an item was inserted or changed and entered the partial */
    ITEM_UPSERTED,
    /** an item of the partial was deleted (or changed) and the partial was searched again */
    ITEM_DELETED
  }

  /**
   * The partial top-k of a query over this shard's items, best first; {@code epoch} identifies the
   * query's registration (or the one-shot query) and {@code k} is what it asked for, {@code itemId}
   * is the item that caused it, or null.
   */
  void partial(String queryId, long epoch, int k, List<Match> matches, Cause cause, String itemId);

  /**
   * A standing query's partial changed to {@code query}'s: by default sent at once through {@link
   * #partial}. An output that holds changes to send them later overrides it and skips building the
   * list of matches.
   */
  default void changed(String queryId, StandingQuery query, Cause cause, String itemId) {
    partial(queryId, query.epoch(), query.k(), query.matches(), cause, itemId);
  }

  /**
   * An item reached a query's threshold ({@code retraction == false}), or an item that had was
   * deleted or changed ({@code retraction == true}).
   */
  void alert(String queryId, String itemId, float score, boolean retraction);
}
