package io.simjoin.operators.validation;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.DeadLetter.Reason;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.join.JoinKeys;
import java.io.Serializable;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Decides whether an input event may reach an index, and if not, makes the {@link DeadLetter} that
 * says why and what to fix. Pure functions: no state, no clock, no exceptions for bad input; what
 * an operator knows about a namespace (its dimension, whether an item or query exists, how many
 * standing queries it has) is passed in.
 *
 * <pre>{@code
 * EventValidator validator = EventValidator.builder()
 *     .maxK(1000).maxDimension(1024).maxStandingQueriesPerNamespace(50_000).build();
 *
 * // before keyBy: what the event alone shows
 * Optional<DeadLetter> bad = validator.checkItem(item);
 * // in the keyed operator: also what the namespace's state shows
 * bad = validator.checkItem(item, dimensionOrNoDimension, itemExists);
 * bad.ifPresentOrElse(d -> ctx.output(DEAD_LETTERS, d), () -> apply(item));
 * }</pre>
 *
 * <p>The checks run in a fixed order and the first failure is reported, so one event always gets
 * the same reason. Checks on the event alone come first: the two-argument methods report the same
 * reason as the one-argument ones for everything the event alone shows.
 *
 * <table>
 *   <caption>What is checked</caption>
 *   <tr><th>event</th><th>checks, in order</th></tr>
 *   <tr><td>any</td><td>{@code EMPTY_NAMESPACE}, {@code EMPTY_ID}</td></tr>
 *   <tr><td>item UPSERT</td><td>{@code MISSING_VECTOR}, {@code EMPTY_VECTOR}, {@code
 *       DIMENSION_TOO_LARGE}, {@code NON_FINITE_COMPONENT}; with context: {@code
 *       DIMENSION_MISMATCH}</td></tr>
 *   <tr><td>item DELETE</td><td>with context: {@code UNKNOWN_ITEM}</td></tr>
 *   <tr><td>query ONCE, REGISTER</td><td>{@code K_NOT_POSITIVE}, {@code K_TOO_LARGE}, {@code
 *       THRESHOLD_NAN}, then the vector checks as for UPSERT; with context: {@code
 *       DIMENSION_MISMATCH}, and for REGISTER {@code TOO_MANY_STANDING_QUERIES}</td></tr>
 *   <tr><td>query CANCEL</td><td>with context: {@code UNKNOWN_QUERY}</td></tr>
 * </table>
 *
 * <p>Decisions where the contract is silent: a vector sent with a DELETE or CANCEL is ignored (the
 * event types drop it), not rejected. An infinite threshold is accepted ({@code -Infinity} alerts
 * on every item, {@code +Infinity} on none); only NaN, which no score can pass, is rejected.
 * Re-registering a query that is already registered replaces it and so never hits the cap. A query
 * in a namespace whose dimension is not fixed yet (no item arrived) passes the dimension check.
 */
@PublicEvolving
public final class EventValidator implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The default for {@link Builder#maxK}. */
  public static final int DEFAULT_MAX_K = 1000;

  /** The default for {@link Builder#maxDimension}. */
  public static final int DEFAULT_MAX_DIMENSION = 4096;

  /** The default for {@link Builder#maxStandingQueriesPerNamespace}. */
  public static final int DEFAULT_MAX_STANDING_QUERIES_PER_NAMESPACE = 100_000;

  /** Pass as the namespace dimension while a namespace has none yet (no item has arrived). */
  public static final int NO_DIMENSION = 0;

  private static final int MAX_QUOTED_CHARS = 200;

  private final int maxK;
  private final int maxDimension;
  private final int maxStandingQueriesPerNamespace;

  private EventValidator(Builder b) {
    this.maxK = b.maxK;
    this.maxDimension = b.maxDimension;
    this.maxStandingQueriesPerNamespace = b.maxStandingQueriesPerNamespace;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The largest k a query may ask for. */
  public int maxK() {
    return maxK;
  }

  /** The largest number of vector components accepted. */
  public int maxDimension() {
    return maxDimension;
  }

  /** How many standing queries one namespace may hold. */
  public int maxStandingQueriesPerNamespace() {
    return maxStandingQueriesPerNamespace;
  }

  // ---------------------------------------------------------------------------------------------
  // Items

  /**
   * Checks what the item event alone shows: namespace, id, and on UPSERT the vector.
   *
   * @return empty if the event passes, else the dead letter to emit instead
   */
  public Optional<DeadLetter> checkItem(ItemEvent item) {
    String what = item.op() + " of item " + quote(item.id());
    if (isEmpty(item.namespace())) {
      return item(
          item,
          Reason.EMPTY_NAMESPACE,
          what
              + ": the namespace is "
              + nullOrEmpty(item.namespace())
              + "; set it to the index (catalogue, tenant) the item belongs to");
    }
    if (!JoinKeys.isKeyable(item.namespace())) {
      return item(item, Reason.INVALID_NAMESPACE, invalidNamespace(what, item.namespace()));
    }
    String where = " in namespace " + quote(item.namespace());
    if (isEmpty(item.id())) {
      return item(
          item,
          Reason.EMPTY_ID,
          item.op()
              + " of an item"
              + where
              + ": the id is "
              + nullOrEmpty(item.id())
              + "; give every item a non-empty id, unique within its namespace");
    }
    what += where;
    if (item.op() == ItemEvent.Op.UPSERT) {
      if (!item.hasVector()) {
        return item(
            item,
            Reason.MISSING_VECTOR,
            what + " has no vector; send the item's vector, or a DELETE to remove the item");
      }
      return checkVector(what, item.dimension(), item::component)
          .map(f -> DeadLetter.forItem(f.reason, f.message, item));
    }
    return Optional.empty();
  }

  /**
   * Checks the item event and what the keyed operator knows of its namespace.
   *
   * @param namespaceDimension the namespace's dimension, or {@link #NO_DIMENSION} if it has none
   *     yet
   * @param itemExists whether the namespace holds an item with this id
   * @return empty if the event passes, else the dead letter to emit instead
   * @throws IllegalArgumentException if namespaceDimension is negative
   */
  public Optional<DeadLetter> checkItem(
      ItemEvent item, int namespaceDimension, boolean itemExists) {
    checkDimensionArgument(namespaceDimension);
    Optional<DeadLetter> alone = checkItem(item);
    if (alone.isPresent()) {
      return alone;
    }
    String what = item.op() + " of item " + quote(item.id());
    if (item.op() == ItemEvent.Op.UPSERT) {
      if (namespaceDimension != NO_DIMENSION && item.dimension() != namespaceDimension) {
        return item(
            item,
            Reason.DIMENSION_MISMATCH,
            dimensionMismatch(what, item.namespace(), item.dimension(), namespaceDimension));
      }
    } else if (!itemExists) {
      return item(
          item,
          Reason.UNKNOWN_ITEM,
          what
              + ": namespace "
              + quote(item.namespace())
              + " holds no item with this id (never upserted, already deleted, or upserted to"
              + " another namespace); check the id and namespace, or stop sending repeated"
              + " deletes");
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /**
   * Checks what the query event alone shows: namespace, id, and on ONCE and REGISTER k, threshold
   * and vector.
   *
   * @return empty if the event passes, else the dead letter to emit instead
   */
  public Optional<DeadLetter> checkQuery(QueryEvent query) {
    String what = query.op() + " of query " + quote(query.id());
    if (isEmpty(query.namespace())) {
      return query(
          query,
          Reason.EMPTY_NAMESPACE,
          what
              + ": the namespace is "
              + nullOrEmpty(query.namespace())
              + "; set it to the index (catalogue, tenant) the query searches");
    }
    if (!JoinKeys.isKeyable(query.namespace())) {
      return query(query, Reason.INVALID_NAMESPACE, invalidNamespace(what, query.namespace()));
    }
    String where = " in namespace " + quote(query.namespace());
    if (isEmpty(query.id())) {
      return query(
          query,
          Reason.EMPTY_ID,
          query.op()
              + " of a query"
              + where
              + ": the id is "
              + nullOrEmpty(query.id())
              + "; give every query a non-empty id (updates and cancels refer to it)");
    }
    what += where;
    if (query.op() == QueryEvent.Op.CANCEL) {
      return Optional.empty();
    }
    if (query.k() <= 0) {
      return query(
          query,
          Reason.K_NOT_POSITIVE,
          what + " asks for k = " + query.k() + " items; k must be between 1 and " + maxK);
    }
    if (query.k() > maxK) {
      return query(
          query,
          Reason.K_TOO_LARGE,
          what
              + " asks for k = "
              + query.k()
              + " items, more than the configured maximum "
              + maxK
              + "; ask for at most "
              + maxK
              + ", or raise maxK");
    }
    if (query.hasThreshold() && Float.isNaN(query.threshold())) {
      return query(
          query,
          Reason.THRESHOLD_NAN,
          what
              + " has threshold NaN, which no score can pass; send a number, or no threshold"
              + " for no alerts");
    }
    if (!query.hasVector()) {
      return query(
          query,
          Reason.MISSING_VECTOR,
          what + " has no vector; send the query vector (only a CANCEL goes without one)");
    }
    return checkVector(what, query.dimension(), query::component)
        .map(f -> DeadLetter.forQuery(f.reason, f.message, query));
  }

  /**
   * Checks the query event and what the keyed operator knows of its namespace.
   *
   * @param namespaceDimension the namespace's dimension, or {@link #NO_DIMENSION} if it has none
   *     yet
   * @param queryRegistered whether a standing query with this id is registered in the namespace
   * @param standingQueries how many standing queries the namespace holds now
   * @return empty if the event passes, else the dead letter to emit instead
   * @throws IllegalArgumentException if namespaceDimension or standingQueries is negative
   */
  public Optional<DeadLetter> checkQuery(
      QueryEvent query, int namespaceDimension, boolean queryRegistered, int standingQueries) {
    checkDimensionArgument(namespaceDimension);
    if (standingQueries < 0) {
      throw new IllegalArgumentException(
          "standingQueries is " + standingQueries + "; pass the namespace's count, >= 0");
    }
    Optional<DeadLetter> alone = checkQuery(query);
    if (alone.isPresent()) {
      return alone;
    }
    String what = query.op() + " of query " + quote(query.id());
    String whatWhere = what + " in namespace " + quote(query.namespace());
    if (query.op() == QueryEvent.Op.CANCEL) {
      if (!queryRegistered) {
        return query(
            query,
            Reason.UNKNOWN_QUERY,
            whatWhere
                + ": no standing query with this id is registered (never registered, already"
                + " cancelled, or registered in another namespace); check the id and namespace");
      }
      return Optional.empty();
    }
    if (namespaceDimension != NO_DIMENSION && query.dimension() != namespaceDimension) {
      return query(
          query,
          Reason.DIMENSION_MISMATCH,
          dimensionMismatch(what, query.namespace(), query.dimension(), namespaceDimension));
    }
    if (query.op() == QueryEvent.Op.REGISTER
        && !queryRegistered
        && standingQueries >= maxStandingQueriesPerNamespace) {
      return query(
          query,
          Reason.TOO_MANY_STANDING_QUERIES,
          whatWhere
              + ": the namespace already has "
              + standingQueries
              + " standing queries, the configured maximum is "
              + maxStandingQueriesPerNamespace
              + "; CANCEL queries no longer needed, use ONCE for one-off lookups, or raise"
              + " maxStandingQueriesPerNamespace");
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------

  /** Reads one component of the event's vector without copying it. */
  @FunctionalInterface
  private interface Components {
    float get(int i);
  }

  private static final class Failure {
    final Reason reason;
    final String message;

    Failure(Reason reason, String message) {
      this.reason = reason;
      this.message = message;
    }
  }

  private Optional<Failure> checkVector(String what, int dimension, Components v) {
    if (dimension == 0) {
      return Optional.of(
          new Failure(
              Reason.EMPTY_VECTOR,
              what + " has a vector with no components; send the full vector"));
    }
    // Before the scan for NaN: a huge vector is rejected without reading it.
    if (dimension > maxDimension) {
      return Optional.of(
          new Failure(
              Reason.DIMENSION_TOO_LARGE,
              what
                  + " has "
                  + dimension
                  + " components, more than the configured maximum dimension "
                  + maxDimension
                  + "; send vectors of at most "
                  + maxDimension
                  + " components, or raise maxDimension"));
    }
    for (int i = 0; i < dimension; i++) {
      float x = v.get(i);
      if (!Float.isFinite(x)) {
        int count = 1;
        for (int j = i + 1; j < dimension; j++) {
          if (!Float.isFinite(v.get(j))) {
            count++;
          }
        }
        return Optional.of(
            new Failure(
                Reason.NON_FINITE_COMPONENT,
                what
                    + ": component "
                    + i
                    + " of "
                    + dimension
                    + " is "
                    + x
                    + (count > 1
                        ? " (" + count + " non-finite components in all, this is the first)"
                        : "")
                    + "; every component must be a finite float: fix the producer (NaN often"
                    + " comes from normalising a zero vector, Infinity from a value beyond the"
                    + " float range)"));
      }
    }
    return Optional.empty();
  }

  private static String dimensionMismatch(
      String what, String namespace, int dimension, int namespaceDimension) {
    return what
        + " has "
        + dimension
        + " components, but namespace "
        + quote(namespace)
        + " has dimension "
        + namespaceDimension
        + ", fixed by its first item; send "
        + namespaceDimension
        + "-component vectors to this namespace, or use another namespace for "
        + dimension
        + "-component vectors";
  }

  private static void checkDimensionArgument(int namespaceDimension) {
    if (namespaceDimension < 0) {
      throw new IllegalArgumentException(
          "namespaceDimension is "
              + namespaceDimension
              + "; pass the namespace's dimension, or NO_DIMENSION if it has none yet");
    }
  }

  private static Optional<DeadLetter> item(ItemEvent item, Reason reason, String message) {
    return Optional.of(DeadLetter.forItem(reason, message, item));
  }

  private static Optional<DeadLetter> query(QueryEvent query, Reason reason, String message) {
    return Optional.of(DeadLetter.forQuery(reason, message, query));
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  private static String nullOrEmpty(String s) {
    return s == null ? "missing (null)" : "empty";
  }

  /** Producers control ids: a runaway one must not make a dead letter megabytes long. */
  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    if (s.length() <= MAX_QUOTED_CHARS) {
      return "'" + s + "'";
    }
    return "'" + s.substring(0, MAX_QUOTED_CHARS) + "…'(" + s.length() + " chars)";
  }

  @Override
  public String toString() {
    return "EventValidator{maxK="
        + maxK
        + ", maxDimension="
        + maxDimension
        + ", maxStandingQueriesPerNamespace="
        + maxStandingQueriesPerNamespace
        + '}';
  }

  /** Builds an {@link EventValidator}; every limit has a default. */
  private static String invalidNamespace(String what, String namespace) {
    return what
        + ": the namespace "
        + quote(namespace.replace(String.valueOf(JoinKeys.SEPARATOR), "\\u001f"))
        + " contains U+001F, which simjoin reserves as a key separator; rename the namespace";
  }

  public static final class Builder {
    private int maxK = DEFAULT_MAX_K;
    private int maxDimension = DEFAULT_MAX_DIMENSION;
    private int maxStandingQueriesPerNamespace = DEFAULT_MAX_STANDING_QUERIES_PER_NAMESPACE;

    private Builder() {}

    /** The largest k a query may ask for, at least 1; default {@value #DEFAULT_MAX_K}. */
    public Builder maxK(int maxK) {
      this.maxK = maxK;
      return this;
    }

    /**
     * The largest number of vector components, at least 1; default {@value #DEFAULT_MAX_DIMENSION}.
     */
    public Builder maxDimension(int maxDimension) {
      this.maxDimension = maxDimension;
      return this;
    }

    /**
     * How many standing queries one namespace may hold, at least 0 (0: ONCE queries only); default
     * {@value #DEFAULT_MAX_STANDING_QUERIES_PER_NAMESPACE}.
     */
    public Builder maxStandingQueriesPerNamespace(int maxStandingQueriesPerNamespace) {
      this.maxStandingQueriesPerNamespace = maxStandingQueriesPerNamespace;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a limit is out of range, naming the setter to fix
     */
    public EventValidator build() {
      if (maxK < 1) {
        throw new IllegalArgumentException("maxK is " + maxK + "; set maxK(...) to at least 1");
      }
      if (maxDimension < 1) {
        throw new IllegalArgumentException(
            "maxDimension is " + maxDimension + "; set maxDimension(...) to at least 1");
      }
      if (maxStandingQueriesPerNamespace < 0) {
        throw new IllegalArgumentException(
            "maxStandingQueriesPerNamespace is "
                + maxStandingQueriesPerNamespace
                + "; set maxStandingQueriesPerNamespace(...) to at least 0");
      }
      return new EventValidator(this);
    }
  }
}
