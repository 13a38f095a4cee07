package io.simjoin.operators.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopKUpdateTest {

  private static final ScoredItem A = new ScoredItem("a", 0.9f);
  private static final ScoredItem B = new ScoredItem("b", 0.9f);
  private static final ScoredItem C = new ScoredItem("c", 0.1f);

  @Test
  void keepsItsFields() {
    TopKUpdate u =
        TopKUpdate.of("ns", "q", 3L, List.of(A, B, C), UpdateCause.itemUpserted("b"), 7L);
    assertThat(u.namespace()).isEqualTo("ns");
    assertThat(u.queryId()).isEqualTo("q");
    assertThat(u.seq()).isEqualTo(3L);
    assertThat(u.matches()).containsExactly(A, B, C);
    assertThat(u.cause().kind()).isEqualTo(UpdateCause.Kind.ITEM_UPSERTED);
    assertThat(u.cause().itemId()).isEqualTo("b");
    assertThat(u.timestamp()).isEqualTo(7L);
  }

  @Test
  void matchesAreCopiedAndUnmodifiable() {
    List<ScoredItem> in = new ArrayList<>(List.of(A, C));
    TopKUpdate u = TopKUpdate.of("ns", "q", 0L, in, UpdateCause.once(), 0L);
    in.clear();
    assertThat(u.matches()).containsExactly(A, C);
    assertThatThrownBy(() -> u.matches().add(B)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void matchesMustBeBestFirst() {
    assertThatThrownBy(() -> TopKUpdate.of("ns", "q", 0L, List.of(C, A), UpdateCause.once(), 0L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("best first")
        .hasMessageContaining("entry 0 'c'=0.1 does not come before entry 1 'a'=0.9");
    // equal scores: ids ascending
    assertThatThrownBy(() -> TopKUpdate.of("ns", "q", 0L, List.of(B, A), UpdateCause.once(), 0L))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TopKUpdate.of("ns", "q", 0L, List.of(A, A), UpdateCause.once(), 0L))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsNullsANegativeSeqAndMatchesOnCancel() {
    assertThatThrownBy(() -> TopKUpdate.of(null, "q", 0L, List.of(), UpdateCause.once(), 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("namespace is null");
    assertThatThrownBy(() -> TopKUpdate.of("ns", null, 0L, List.of(), UpdateCause.once(), 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("queryId is null");
    assertThatThrownBy(() -> TopKUpdate.of("ns", "q", 0L, null, UpdateCause.once(), 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("empty list");
    assertThatThrownBy(() -> TopKUpdate.of("ns", "q", 0L, List.of(), null, 0L))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("cause is null");
    assertThatThrownBy(() -> TopKUpdate.of("ns", "q", -1L, List.of(), UpdateCause.once(), 0L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seq is -1");
    assertThatThrownBy(() -> TopKUpdate.of("ns", "q", 0L, List.of(A), UpdateCause.cancelled(), 0L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CANCELLED");
  }

  @Test
  void causeNamesAnItemExactlyForItemKinds() {
    assertThat(UpdateCause.itemDeleted("x").itemId()).isEqualTo("x");
    assertThat(UpdateCause.registered().itemId()).isNull();
    assertThat(UpdateCause.once().kind()).isEqualTo(UpdateCause.Kind.ONCE);
    assertThat(UpdateCause.cancelled().kind()).isEqualTo(UpdateCause.Kind.CANCELLED);
    assertThatThrownBy(() -> UpdateCause.itemUpserted(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("itemId is null");
    assertThatThrownBy(() -> new UpdateCause(UpdateCause.Kind.REGISTERED, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no item");
    assertThat(UpdateCause.itemUpserted("x")).hasToString("ITEM_UPSERTED('x')");
  }

  @Test
  void scoredItemOrderIsScoreDescendingThenIdAscending() {
    List<ScoredItem> l = new ArrayList<>(List.of(C, B, new ScoredItem("z", 5f), A));
    l.sort(ScoredItem.BEST_FIRST);
    assertThat(l).extracting(ScoredItem::itemId).containsExactly("z", "a", "b", "c");
    assertThatThrownBy(() -> new ScoredItem(null, 1f)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void equalityAndToString() {
    TopKUpdate u = TopKUpdate.of("ns", "q", 1L, List.of(A), UpdateCause.registered(), 2L);
    assertThat(u)
        .isEqualTo(TopKUpdate.of("ns", "q", 1L, List.of(A), UpdateCause.registered(), 2L))
        .hasSameHashCodeAs(TopKUpdate.of("ns", "q", 1L, List.of(A), UpdateCause.registered(), 2L))
        .isNotEqualTo(TopKUpdate.of("ns", "q", 2L, List.of(A), UpdateCause.registered(), 2L))
        .isNotEqualTo(TopKUpdate.of("ns", "q", 1L, List.of(B), UpdateCause.registered(), 2L))
        .isNotEqualTo(TopKUpdate.of("ns", "q", 1L, List.of(A), UpdateCause.once(), 2L))
        .isNotEqualTo(TopKUpdate.of("ns", "q", 1L, List.of(A), UpdateCause.registered(), 3L));
    assertThat(u)
        .hasToString(
            "TopKUpdate{namespace='ns' queryId='q' seq=1 cause=REGISTERED matches=['a'=0.9]"
                + " timestamp=2}");
  }
}
