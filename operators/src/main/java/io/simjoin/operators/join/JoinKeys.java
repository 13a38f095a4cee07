package io.simjoin.operators.join;

/**
 * The keys the join's keyed operators are partitioned by: {@code ShardJoin} by (namespace, shard),
 * {@code TopKMerge} by (namespace, query id). Both are strings, since a String key needs no
 * composite-type serializer and RocksDB compares its bytes directly.
 *
 * <pre>{@code
 * items.keyBy(e -> JoinKeys.shard(e.namespace(), Math.floorMod(e.id().hashCode(), shards)));
 * partials.keyBy(PartialTopK::mergeKey); // == JoinKeys.query(namespace, queryId)
 * }</pre>
 *
 * <p>The layout is part of every checkpoint and savepoint (keyed state is stored under it), so it
 * cannot change once jobs run: namespace, {@link #SEPARATOR}, then the query id or the shard number
 * in decimal. It is unambiguous only because a namespace never contains the separator: such a
 * namespace must be turned into a dead letter before it reaches a keyed operator, and the methods
 * here refuse it rather than let two queries share state.
 */
public final class JoinKeys {

  /** ASCII unit separator: between the namespace and the rest of a key. */
  public static final char SEPARATOR = '\u001f';

  private JoinKeys() {}

  /**
   * The key of a query in {@code TopKMerge}.
   *
   * @throws IllegalArgumentException if the namespace contains {@link #SEPARATOR}
   */
  public static String query(String namespace, String queryId) {
    return checked(namespace) + SEPARATOR + queryId;
  }

  /**
   * The key of a shard of a namespace in {@code ShardJoin}.
   *
   * @throws IllegalArgumentException if the namespace contains {@link #SEPARATOR}
   */
  public static String shard(String namespace, int shard) {
    return checked(namespace) + SEPARATOR + shard;
  }

  /** Whether a namespace can be part of a key: it must not contain {@link #SEPARATOR}. */
  public static boolean isKeyable(String namespace) {
    return namespace.indexOf(SEPARATOR) < 0;
  }

  private static String checked(String namespace) {
    if (!isKeyable(namespace)) {
      throw new IllegalArgumentException(
          "namespace "
              + namespace.replace(String.valueOf(SEPARATOR), "\\u001f")
              + " contains the key separator U+001F; dead-letter such namespaces before keyBy");
    }
    return namespace;
  }
}
