package io.simjoin.operators.join;

import java.util.HashMap;
import java.util.Map;

/** {@link MergeStore} of one query on the heap, for tests. */
public final class HeapMergeStore implements MergeStore {
  private Standing standing;
  private final Map<Long, Once> once = new HashMap<>();
  private Long seq;

  @Override
  public Standing standing() {
    return standing;
  }

  @Override
  public void putStanding(Standing standing) {
    this.standing = standing;
  }

  @Override
  public void removeStanding() {
    standing = null;
  }

  @Override
  public Once once(long epoch) {
    return once.get(epoch);
  }

  @Override
  public void putOnce(long epoch, Once o) {
    once.put(epoch, o);
  }

  @Override
  public void removeOnce(long epoch) {
    once.remove(epoch);
  }

  @Override
  public long seq() {
    return seq == null ? 0 : seq;
  }

  @Override
  public void putSeq(long seq) {
    this.seq = seq;
  }

  @Override
  public void removeSeq() {
    seq = null;
  }

  /** Whether nothing is kept for this query any more. */
  public boolean isEmpty() {
    return standing == null && once.isEmpty() && seq == null;
  }
}
