package io.simjoin.operators.join;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link MergeStore} that holds each query's standing entry and sequence number in memory until
 * {@link #flush}, in front of the keyed state that stays the source of truth; one-shot entries go
 * straight through. A coalescing merge absorbs many partials of a query between two flushes: each
 * was a state read, decode, encode and write of all S partial lists, now it is a map lookup.
 *
 * <p>The owner flushes before every checkpoint barrier. The flush also forgets everything held:
 * entries are mutable, and on the heap backend the one read may be the object a snapshot holds.
 *
 * <pre>{@code
 * WriteBackMergeStore store = new WriteBackMergeStore(new FlinkMergeStore(ctx), this::currentKey);
 * merge.absorb(store, shard, epoch, k, matches);
 * ...
 * store.flush(key -> setCurrentKey(key));
 * }</pre>
 */
public final class WriteBackMergeStore implements MergeStore {
  private final MergeStore backing;
  private final Supplier<String> currentKey;
  private final Map<String, Held> held = new HashMap<>();

  /** What is held of one query; a field is meaningful only when its flag says it was read. */
  private static final class Held {
    boolean standingRead;
    boolean standingChanged;
    Standing standing;
    boolean seqRead;
    boolean seqChanged;
    Long seq;
  }

  /**
   * @param backing the keyed state, which reads and writes under the current key
   * @param currentKey the key the backing state is at now
   */
  public WriteBackMergeStore(MergeStore backing, Supplier<String> currentKey) {
    this.backing = backing;
    this.currentKey = currentKey;
  }

  private Held held() {
    return held.computeIfAbsent(currentKey.get(), k -> new Held());
  }

  @Override
  public Standing standing() {
    Held h = held();
    if (!h.standingRead) {
      h.standing = backing.standing();
      h.standingRead = true;
    }
    return h.standing;
  }

  @Override
  public void putStanding(Standing standing) {
    Held h = held();
    h.standing = standing;
    h.standingRead = true;
    h.standingChanged = true;
  }

  @Override
  public void removeStanding() {
    putStanding(null);
  }

  @Override
  public Once once(long epoch) {
    return backing.once(epoch);
  }

  @Override
  public void putOnce(long epoch, Once once) {
    backing.putOnce(epoch, once);
  }

  @Override
  public void removeOnce(long epoch) {
    backing.removeOnce(epoch);
  }

  @Override
  public long seq() {
    Held h = held();
    if (!h.seqRead) {
      h.seq = backing.seq();
      h.seqRead = true;
    }
    return h.seq == null ? 0L : h.seq;
  }

  @Override
  public void putSeq(long seq) {
    setSeq(seq);
  }

  @Override
  public void removeSeq() {
    setSeq(null);
  }

  private void setSeq(Long seq) {
    Held h = held();
    h.seq = seq;
    h.seqRead = true;
    h.seqChanged = true;
  }

  /** Queries held in memory. */
  public int size() {
    return held.size();
  }

  /** Queries with changes not yet written through. */
  public int changed() {
    int n = 0;
    for (Held h : held.values()) {
      if (h.standingChanged || h.seqChanged) {
        n++;
      }
    }
    return n;
  }

  /**
   * Writes every held change through, calling {@code makeCurrent} with each changed query's key
   * first so the backing state writes under it, then forgets everything held.
   */
  public void flush(Consumer<String> makeCurrent) {
    for (Map.Entry<String, Held> e : held.entrySet()) {
      Held h = e.getValue();
      if (!h.standingChanged && !h.seqChanged) {
        continue;
      }
      makeCurrent.accept(e.getKey());
      if (h.standingChanged) {
        if (h.standing == null) {
          backing.removeStanding();
        } else {
          backing.putStanding(h.standing);
        }
      }
      if (h.seqChanged) {
        if (h.seq == null) {
          backing.removeSeq();
        } else {
          backing.putSeq(h.seq);
        }
      }
    }
    held.clear();
  }
}
