package io.simjoin.bench;

import io.simjoin.bench.data.DatasetSpec;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * {@code bench --e2e --kafka}: the same generated stream as {@code --e2e}, but through a real Kafka
 * broker and the Kafka job. The runner lives in the {@code jobs} module (which has the job and the
 * broker) and is found with {@link java.util.ServiceLoader}; the bench module knows only this
 * interface.
 */
public interface KafkaE2e {

  /** What one run streams, as {@code --e2e} would. */
  record Settings(
      DatasetSpec.Synthetic items,
      DatasetSpec.Synthetic queries,
      int k,
      int standing,
      int shards,
      int parallelism,
      String checkpointInterval,
      Duration coalesce) {}

  /** What one run measured, as one JSON line, and whether its answers were exact. */
  record Result(String json, double itemsPerSecond, boolean exact) {}

  /** Runs the stream through Kafka and the job; progress goes to {@code err}. */
  Result run(Settings settings, PrintWriter err) throws Exception;
}
