package io.simjoin.bench.flink;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.state.rocksdb.ConfigurableRocksDBOptionsFactory;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;

/**
 * Attaches RocksDB {@link Statistics} to the databases of a bench job and lets the task read them
 * while its database is open: the block-cache hit rate of {@code bench --store rocksdb} is
 * RocksDB's own count, not an estimate. Flink's native metrics would report the same tickers, but
 * only through a metric reporter; the bench's task runs in this JVM and can ask directly.
 *
 * <pre>{@code
 * conf.setString("state.backend.rocksdb.options-factory", RocksDbStatistics.class.getName());
 * conf.set(RocksDbStatistics.RUN, runId);
 * // in the task, before it returns:
 * RocksDbStatistics.Counts c = RocksDbStatistics.read(runId);
 * }</pre>
 *
 * <p>One database per run id: the bench's job has one keyed operator at parallelism 1.
 */
public final class RocksDbStatistics implements ConfigurableRocksDBOptionsFactory {
  private static final long serialVersionUID = 1L;

  /** Which run's statistics these databases feed. */
  public static final ConfigOption<String> RUN =
      ConfigOptions.key("simjoin.bench.rocksdb-statistics-run")
          .stringType()
          .noDefaultValue()
          .withDescription("Bench run whose RocksDB statistics the task reads.");

  private static final Map<String, Statistics> OPEN = new ConcurrentHashMap<>();

  private String run;

  /** RocksDB's block-cache and read counters of a run. */
  public record Counts(long blockCacheHits, long blockCacheMisses, long bytesRead) {
    /** Hits over lookups, or NaN without a lookup. */
    public double hitRate() {
      long lookups = blockCacheHits + blockCacheMisses;
      return lookups == 0 ? Double.NaN : blockCacheHits / (double) lookups;
    }
  }

  @Override
  public RocksDBOptionsFactory configure(ReadableConfig config) {
    run = config.get(RUN);
    return this;
  }

  @Override
  public DBOptions createDBOptions(DBOptions current, Collection<AutoCloseable> handlesToClose) {
    if (run == null) {
      throw new IllegalStateException(
          RUN.key() + " is not set: the task could not find its counts");
    }
    Statistics statistics = new Statistics();
    handlesToClose.add(() -> OPEN.remove(run, statistics));
    handlesToClose.add(statistics);
    OPEN.put(run, statistics);
    return current.setStatistics(statistics);
  }

  @Override
  public ColumnFamilyOptions createColumnOptions(
      ColumnFamilyOptions current, Collection<AutoCloseable> handlesToClose) {
    return current;
  }

  /**
   * The counts so far of the run's open database.
   *
   * @throws IllegalStateException when the run has no open database (read it inside the task)
   */
  public static Counts read(String run) {
    Statistics s = OPEN.get(run);
    if (s == null) {
      throw new IllegalStateException("no open RocksDB database for bench run " + run);
    }
    return new Counts(
        s.getTickerCount(TickerType.BLOCK_CACHE_HIT),
        s.getTickerCount(TickerType.BLOCK_CACHE_MISS),
        s.getTickerCount(TickerType.BYTES_READ));
  }
}
