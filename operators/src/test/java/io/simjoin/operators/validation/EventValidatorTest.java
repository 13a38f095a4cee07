package io.simjoin.operators.validation;

import static io.simjoin.operators.validation.EventValidator.NO_DIMENSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.DeadLetter.Reason;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventValidatorTest {

  private static final EventValidator V =
      EventValidator.builder().maxK(100).maxDimension(8).maxStandingQueriesPerNamespace(3).build();

  private static final float[] VEC = {1f, 2f, 3f, 4f};

  private static final Set<Reason> SEEN = EnumSet.noneOf(Reason.class);

  private static ItemEvent upsert(float[] v) {
    return ItemEvent.of("ns", "sku-1", ItemEvent.Op.UPSERT, v, 5L);
  }

  private static QueryEvent query(QueryEvent.Op op, float[] v, int k, Float threshold) {
    return QueryEvent.of("ns", "q-1", op, v, k, threshold, 6L);
  }

  /** Asserts the reason and that the dead letter carries the event, and returns the message. */
  private static String rejectedItem(Optional<DeadLetter> result, Reason reason, ItemEvent e) {
    assertThat(result).isPresent();
    DeadLetter d = result.orElseThrow();
    assertThat(d.reason()).isEqualTo(reason);
    assertThat(d.item()).contains(e);
    assertThat(d.timestamp()).isEqualTo(e.timestamp());
    SEEN.add(reason);
    return d.message();
  }

  private static String rejectedQuery(Optional<DeadLetter> result, Reason reason, QueryEvent q) {
    assertThat(result).isPresent();
    DeadLetter d = result.orElseThrow();
    assertThat(d.reason()).isEqualTo(reason);
    assertThat(d.query()).contains(q);
    assertThat(d.timestamp()).isEqualTo(q.timestamp());
    SEEN.add(reason);
    return d.message();
  }

  // ---------------------------------------------------------------------------------------------
  // valid events pass

  @Test
  void validItemsPass() {
    assertThat(V.checkItem(upsert(VEC))).isEmpty();
    assertThat(V.checkItem(upsert(VEC), NO_DIMENSION, false)).isEmpty();
    assertThat(V.checkItem(upsert(VEC), 4, true)).isEmpty();
    assertThat(V.checkItem(upsert(new float[8]), 8, false)).isEmpty();
    ItemEvent delete = ItemEvent.delete("ns", "sku-1", 1L);
    assertThat(V.checkItem(delete)).isEmpty();
    assertThat(V.checkItem(delete, 4, true)).isEmpty();
    // the dimension is irrelevant to a delete
    assertThat(V.checkItem(delete, NO_DIMENSION, true)).isEmpty();
  }

  @Test
  void validQueriesPass() {
    for (QueryEvent.Op op : new QueryEvent.Op[] {QueryEvent.Op.ONCE, QueryEvent.Op.REGISTER}) {
      QueryEvent q = query(op, VEC, 100, null);
      assertThat(V.checkQuery(q)).isEmpty();
      assertThat(V.checkQuery(q, 4, false, 0)).isEmpty();
      assertThat(V.checkQuery(q, NO_DIMENSION, false, 2)).isEmpty();
      assertThat(V.checkQuery(query(op, VEC, 1, 0.5f), 4, false, 0)).isEmpty();
      assertThat(V.checkQuery(query(op, VEC, 1, Float.NEGATIVE_INFINITY), 4, false, 0)).isEmpty();
      assertThat(V.checkQuery(query(op, VEC, 1, Float.POSITIVE_INFINITY), 4, false, 0)).isEmpty();
    }
    QueryEvent cancel = QueryEvent.cancel("ns", "q-1", 1L);
    assertThat(V.checkQuery(cancel)).isEmpty();
    assertThat(V.checkQuery(cancel, 4, true, 3)).isEmpty();
  }

  @Test
  void aVectorOnADeleteOrCancelIsIgnoredNotRejected() {
    ItemEvent delete = ItemEvent.of("ns", "a", ItemEvent.Op.DELETE, new float[] {Float.NaN}, 1L);
    assertThat(V.checkItem(delete, 4, true)).isEmpty();
    QueryEvent cancel =
        QueryEvent.of("ns", "q", QueryEvent.Op.CANCEL, new float[] {Float.NaN}, -1, Float.NaN, 1L);
    assertThat(V.checkQuery(cancel, 4, true, 1)).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // namespace and id

  @Test
  void namespaceWithTheKeySeparator() {
    // Keys join namespace and shard or query id with U+001F: such a namespace could collide.
    ItemEvent e = ItemEvent.of("a\u001fb", "sku-1", ItemEvent.Op.UPSERT, VEC, 1L);
    assertThat(rejectedItem(V.checkItem(e), Reason.INVALID_NAMESPACE, e))
        .contains("U+001F")
        .contains("rename the namespace");
    QueryEvent q = QueryEvent.of("a\u001f", "q", QueryEvent.Op.CANCEL, null, 0, null, 1L);
    assertThat(rejectedQuery(V.checkQuery(q), Reason.INVALID_NAMESPACE, q)).contains("U+001F");
  }

  @Test
  void emptyOrNullNamespace() {
    ItemEvent e = ItemEvent.of("", "sku-1", ItemEvent.Op.UPSERT, VEC, 1L);
    assertThat(rejectedItem(V.checkItem(e), Reason.EMPTY_NAMESPACE, e))
        .isEqualTo(
            "UPSERT of item 'sku-1': the namespace is empty; set it to the index (catalogue,"
                + " tenant) the item belongs to");
    ItemEvent n = ItemEvent.of(null, "sku-1", ItemEvent.Op.DELETE, null, 1L);
    assertThat(rejectedItem(V.checkItem(n, 4, true), Reason.EMPTY_NAMESPACE, n))
        .contains("missing (null)");
    QueryEvent q = QueryEvent.of(null, "q", QueryEvent.Op.CANCEL, null, 0, null, 1L);
    assertThat(rejectedQuery(V.checkQuery(q, 4, true, 1), Reason.EMPTY_NAMESPACE, q))
        .startsWith("CANCEL of query 'q': the namespace is missing (null)");
  }

  @Test
  void emptyOrNullId() {
    ItemEvent e = ItemEvent.of("ns", null, ItemEvent.Op.UPSERT, VEC, 1L);
    assertThat(rejectedItem(V.checkItem(e), Reason.EMPTY_ID, e))
        .isEqualTo(
            "UPSERT of an item in namespace 'ns': the id is missing (null); give every item a"
                + " non-empty id, unique within its namespace");
    QueryEvent q = QueryEvent.of("ns", "", QueryEvent.Op.REGISTER, VEC, 1, null, 1L);
    assertThat(rejectedQuery(V.checkQuery(q), Reason.EMPTY_ID, q))
        .startsWith("REGISTER of a query in namespace 'ns': the id is empty");
  }

  // ---------------------------------------------------------------------------------------------
  // vectors

  @Test
  void missingVector() {
    ItemEvent e = upsert(null);
    assertThat(rejectedItem(V.checkItem(e), Reason.MISSING_VECTOR, e))
        .isEqualTo(
            "UPSERT of item 'sku-1' in namespace 'ns' has no vector; send the item's vector, or a"
                + " DELETE to remove the item");
    for (QueryEvent.Op op : new QueryEvent.Op[] {QueryEvent.Op.ONCE, QueryEvent.Op.REGISTER}) {
      QueryEvent q = query(op, null, 10, null);
      assertThat(rejectedQuery(V.checkQuery(q), Reason.MISSING_VECTOR, q))
          .startsWith(op + " of query 'q-1' in namespace 'ns' has no vector");
    }
  }

  @Test
  void emptyVector() {
    ItemEvent e = upsert(new float[0]);
    rejectedItem(V.checkItem(e), Reason.EMPTY_VECTOR, e);
    QueryEvent q = query(QueryEvent.Op.ONCE, new float[0], 10, null);
    rejectedQuery(V.checkQuery(q), Reason.EMPTY_VECTOR, q);
  }

  @Test
  void dimensionOverTheMaximum() {
    ItemEvent e = upsert(new float[9]);
    assertThat(rejectedItem(V.checkItem(e), Reason.DIMENSION_TOO_LARGE, e))
        .isEqualTo(
            "UPSERT of item 'sku-1' in namespace 'ns' has 9 components, more than the configured"
                + " maximum dimension 8; send vectors of at most 8 components, or raise"
                + " maxDimension");
    QueryEvent q = query(QueryEvent.Op.REGISTER, new float[9], 10, null);
    rejectedQuery(V.checkQuery(q, 9, false, 0), Reason.DIMENSION_TOO_LARGE, q);
  }

  @Test
  void dimensionOverTheMaximumIsReportedWithoutScanningForNaN() {
    float[] v = new float[9];
    v[0] = Float.NaN;
    ItemEvent e = upsert(v);
    rejectedItem(V.checkItem(e), Reason.DIMENSION_TOO_LARGE, e);
  }

  @ParameterizedTest
  @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
  void nonFiniteComponentNamesItsIndex(float bad) {
    float[] v = {1f, 2f, bad, 4f};
    ItemEvent e = upsert(v);
    assertThat(rejectedItem(V.checkItem(e), Reason.NON_FINITE_COMPONENT, e))
        .isEqualTo(
            "UPSERT of item 'sku-1' in namespace 'ns': component 2 of 4 is "
                + bad
                + "; every component must be a finite float: fix the producer (NaN often comes"
                + " from normalising a zero vector, Infinity from a value beyond the float"
                + " range)");
    QueryEvent q = query(QueryEvent.Op.ONCE, v, 10, null);
    assertThat(rejectedQuery(V.checkQuery(q), Reason.NON_FINITE_COMPONENT, q))
        .contains("component 2 of 4 is " + bad);
  }

  @Test
  void nonFiniteComponentsAreCountedAndTheFirstIsNamed() {
    ItemEvent e = upsert(new float[] {1f, Float.NaN, 0f, Float.NaN, Float.NEGATIVE_INFINITY});
    assertThat(rejectedItem(V.checkItem(e), Reason.NON_FINITE_COMPONENT, e))
        .contains("component 1 of 5 is NaN (3 non-finite components in all, this is the first)");
  }

  @Test
  void wrongDimensionForTheNamespace() {
    ItemEvent e = upsert(VEC);
    assertThat(rejectedItem(V.checkItem(e, 3, false), Reason.DIMENSION_MISMATCH, e))
        .isEqualTo(
            "UPSERT of item 'sku-1' has 4 components, but namespace 'ns' has dimension 3, fixed by its first item; send 3-component vectors to this"
                + " namespace, or use another namespace for 4-component vectors");
    // an upsert of a known item with a new dimension is no exception
    rejectedItem(V.checkItem(e, 5, true), Reason.DIMENSION_MISMATCH, e);
    for (QueryEvent.Op op : new QueryEvent.Op[] {QueryEvent.Op.ONCE, QueryEvent.Op.REGISTER}) {
      QueryEvent q = query(op, VEC, 10, null);
      assertThat(rejectedQuery(V.checkQuery(q, 8, false, 0), Reason.DIMENSION_MISMATCH, q))
          .isEqualTo(
              op
                  + " of query 'q-1' has 4 components, but namespace 'ns' has dimension 8, fixed"
                  + " by its first item; send 8-component vectors to this namespace, or use"
                  + " another namespace for 4-component vectors");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // k and threshold

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void kNotPositive(int k) {
    QueryEvent q = query(QueryEvent.Op.ONCE, VEC, k, null);
    assertThat(rejectedQuery(V.checkQuery(q), Reason.K_NOT_POSITIVE, q))
        .isEqualTo(
            "ONCE of query 'q-1' in namespace 'ns' asks for k = "
                + k
                + " items; k must be between 1 and 100");
  }

  @ParameterizedTest
  @ValueSource(ints = {101, Integer.MAX_VALUE})
  void kAboveTheMaximum(int k) {
    QueryEvent q = query(QueryEvent.Op.REGISTER, VEC, k, null);
    assertThat(rejectedQuery(V.checkQuery(q, 4, false, 0), Reason.K_TOO_LARGE, q))
        .isEqualTo(
            "REGISTER of query 'q-1' in namespace 'ns' asks for k = "
                + k
                + " items, more than the configured maximum 100; ask for at most 100, or raise"
                + " maxK");
  }

  @Test
  void thresholdNaN() {
    QueryEvent q = query(QueryEvent.Op.REGISTER, VEC, 10, Float.NaN);
    assertThat(rejectedQuery(V.checkQuery(q), Reason.THRESHOLD_NAN, q))
        .isEqualTo(
            "REGISTER of query 'q-1' in namespace 'ns' has threshold NaN, which no score can"
                + " pass; send a number, or no threshold for no alerts");
  }

  // ---------------------------------------------------------------------------------------------
  // what the operator knows

  @Test
  void deleteOfAnUnknownItem() {
    ItemEvent e = ItemEvent.delete("ns", "sku-1", 1L);
    assertThat(rejectedItem(V.checkItem(e, 4, false), Reason.UNKNOWN_ITEM, e))
        .isEqualTo(
            "DELETE of item 'sku-1': namespace 'ns' holds no item with this id (never upserted,"
                + " already deleted, or upserted to another namespace); check the id and"
                + " namespace, or stop sending repeated deletes");
    // an empty namespace has no items at all
    rejectedItem(V.checkItem(e, NO_DIMENSION, false), Reason.UNKNOWN_ITEM, e);
  }

  @Test
  void cancelOfAnUnknownQuery() {
    QueryEvent q = QueryEvent.cancel("ns", "q-1", 1L);
    assertThat(rejectedQuery(V.checkQuery(q, 4, false, 3), Reason.UNKNOWN_QUERY, q))
        .isEqualTo(
            "CANCEL of query 'q-1' in namespace 'ns': no standing query with this id is"
                + " registered (never registered, already cancelled, or registered in another"
                + " namespace); check the id and namespace");
  }

  @Test
  void registerBeyondTheCap() {
    QueryEvent q = query(QueryEvent.Op.REGISTER, VEC, 10, null);
    assertThat(V.checkQuery(q, 4, false, 2)).isEmpty();
    assertThat(rejectedQuery(V.checkQuery(q, 4, false, 3), Reason.TOO_MANY_STANDING_QUERIES, q))
        .isEqualTo(
            "REGISTER of query 'q-1' in namespace 'ns': the namespace already has 3 standing"
                + " queries, the configured maximum is 3; CANCEL queries no longer needed, use"
                + " ONCE for one-off lookups, or raise maxStandingQueriesPerNamespace");
    // re-registering replaces the query: the count does not grow
    assertThat(V.checkQuery(q, 4, true, 3)).isEmpty();
    // ONCE keeps nothing, so the cap does not apply
    assertThat(V.checkQuery(query(QueryEvent.Op.ONCE, VEC, 10, null), 4, false, 3)).isEmpty();
    EventValidator onceOnly = EventValidator.builder().maxStandingQueriesPerNamespace(0).build();
    rejectedQuery(onceOnly.checkQuery(q, 4, false, 0), Reason.TOO_MANY_STANDING_QUERIES, q);
  }

  // ---------------------------------------------------------------------------------------------
  // order, arguments, configuration

  @Test
  void theFirstFailureWinsAndTheEventAloneIsCheckedFirst() {
    ItemEvent everythingWrong = ItemEvent.of("", "", ItemEvent.Op.UPSERT, new float[99], 1L);
    rejectedItem(V.checkItem(everythingWrong, 3, false), Reason.EMPTY_NAMESPACE, everythingWrong);
    ItemEvent nanAndWrongDimension = upsert(new float[] {Float.NaN});
    rejectedItem(
        V.checkItem(nanAndWrongDimension, 4, false),
        Reason.NON_FINITE_COMPONENT,
        nanAndWrongDimension);
    QueryEvent badKAndVector = query(QueryEvent.Op.REGISTER, null, 0, Float.NaN);
    rejectedQuery(V.checkQuery(badKAndVector, 4, false, 3), Reason.K_NOT_POSITIVE, badKAndVector);
    QueryEvent wrongDimensionOverCap = query(QueryEvent.Op.REGISTER, VEC, 10, null);
    rejectedQuery(
        V.checkQuery(wrongDimensionOverCap, 2, false, 3),
        Reason.DIMENSION_MISMATCH,
        wrongDimensionOverCap);
  }

  @Test
  void callerMistakesAreExceptionsNotDeadLetters() {
    assertThatThrownBy(() -> V.checkItem(upsert(VEC), -1, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NO_DIMENSION");
    assertThatThrownBy(() -> V.checkQuery(query(QueryEvent.Op.ONCE, VEC, 1, null), 4, false, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("standingQueries is -1");
  }

  @Test
  void longIdsAreTruncatedInMessages() {
    String id = "x".repeat(1_000_000);
    ItemEvent e = ItemEvent.of("ns", id, ItemEvent.Op.UPSERT, null, 1L);
    assertThat(rejectedItem(V.checkItem(e), Reason.MISSING_VECTOR, e))
        .contains("(1000000 chars)")
        .hasSizeLessThan(500);
  }

  @Test
  void builderDefaultsAndLimits() {
    EventValidator d = EventValidator.builder().build();
    assertThat(d.maxK()).isEqualTo(EventValidator.DEFAULT_MAX_K);
    assertThat(d.maxDimension()).isEqualTo(EventValidator.DEFAULT_MAX_DIMENSION);
    assertThat(d.maxStandingQueriesPerNamespace())
        .isEqualTo(EventValidator.DEFAULT_MAX_STANDING_QUERIES_PER_NAMESPACE);
    assertThat(V)
        .hasToString("EventValidator{maxK=100, maxDimension=8, maxStandingQueriesPerNamespace=3}");
    assertThatThrownBy(() -> EventValidator.builder().maxK(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxK is 0; set maxK(...) to at least 1");
    assertThatThrownBy(() -> EventValidator.builder().maxDimension(0).build())
        .hasMessage("maxDimension is 0; set maxDimension(...) to at least 1");
    assertThatThrownBy(() -> EventValidator.builder().maxStandingQueriesPerNamespace(-1).build())
        .hasMessage(
            "maxStandingQueriesPerNamespace is -1; set maxStandingQueriesPerNamespace(...) to at"
                + " least 0");
  }

  @Test
  void travelsWithAFlinkFunction() throws Exception {
    EventValidator copy = InstantiationUtil.clone(V);
    assertThat(copy.maxK()).isEqualTo(100);
    assertThat(copy.checkItem(upsert(new float[9]))).isPresent();
  }

  @Test
  void everyReasonButUndecodableIsProducedBySomeCheck() {
    // the reason assertions record what they see; run the tests that should see every reason
    SEEN.clear();
    emptyOrNullNamespace();
    namespaceWithTheKeySeparator();
    emptyOrNullId();
    missingVector();
    emptyVector();
    dimensionOverTheMaximum();
    nonFiniteComponentNamesItsIndex(Float.NaN);
    wrongDimensionForTheNamespace();
    kNotPositive(0);
    kAboveTheMaximum(101);
    thresholdNaN();
    deleteOfAnUnknownItem();
    cancelOfAnUnknownQuery();
    registerBeyondTheCap();
    assertThat(SEEN).isEqualTo(EnumSet.complementOf(EnumSet.of(Reason.UNDECODABLE)));
  }
}
