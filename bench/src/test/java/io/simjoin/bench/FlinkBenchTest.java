package io.simjoin.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.bench.data.Fvecs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench --store rocksdb} and {@code bench --e2e} on tiny data sets, in a MiniCluster. */
class FlinkBenchTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {
    Map<String, String> json() {
      String[] lines = out.strip().split("\n");
      return BenchCommandTest.parseFlatJson(lines[lines.length - 1]);
    }
  }

  private static Run bench(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new BenchCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void rocksDbStoreIsExactWithTheSameKeysAndFiles() throws Exception {
    String items = "synthetic:clustered:n=1500,d=16,seed=3";
    String queries = "synthetic:clustered:n=30,d=16,seed=3";
    Path ids = dir.resolve("ids.ivecs");
    Path scores = dir.resolve("scores.fvecs");
    Run rocks =
        bench(
            "--items",
            items,
            "--queries",
            queries,
            "--deletes",
            "0.2",
            "--bucket",
            "16",
            "--warmup",
            "2",
            "--store",
            "rocksdb",
            // far fewer than the ~100 buckets: searches must read RocksDB and stay exact
            "--kept-nodes",
            "4",
            "--out-ids",
            ids.toString(),
            "--out-scores",
            scores.toString());
    assertThat(rocks.exit()).as(rocks.err()).isZero();
    Map<String, String> json = rocks.json();
    Run heap =
        bench(
            "--items",
            items,
            "--queries",
            queries,
            "--deletes",
            "0.2",
            "--bucket",
            "16",
            "--warmup",
            "2");
    List<String> heapKeys = new ArrayList<>(heap.json().keySet());
    assertThat(new ArrayList<>(json.keySet()).subList(0, heapKeys.size()))
        .containsExactlyElementsOf(heapKeys);
    assertThat(json.get("exact")).isEqualTo("true");
    assertThat(json.get("store")).isEqualTo("\"rocksdb\"");
    assertThat(json.get("kept_nodes")).isEqualTo("4");
    assertThat(json.get("deleted")).isEqualTo("300");
    assertThat(Double.parseDouble(json.get("state_reads_per_query"))).isPositive();
    assertThat(Double.parseDouble(json.get("state_bytes_read_per_query"))).isPositive();
    assertThat(Double.parseDouble(json.get("state_bytes_written_per_insert"))).isPositive();
    assertThat(Double.parseDouble(json.get("rocksdb_vs_heap"))).isPositive();
    assertThat(json).containsKeys("heap_tree_ms_mean");
    assertThat(Files.size(ids)).isEqualTo(30L * (4 + 4 * 10));
    assertThat(Fvecs.read(scores).n()).isEqualTo(30);
  }

  /** Items never all in memory: the chunked task and the chunked oracle still agree. */
  @Test
  void rocksDbWithStreamedItemsIsExactAndReportsDiskAndCache() {
    Run run =
        bench(
            "--items",
            // three generator chunks and a partial one
            "synthetic:mf:n=13000,d=8,seed=4",
            "--queries",
            "synthetic:mf:n=20,d=8,seed=4",
            "--k",
            "20",
            "--deletes",
            "0.1",
            "--store",
            "rocksdb",
            "--kept-nodes",
            "4",
            "--stream-items");
    assertThat(run.exit()).as(run.err()).isZero();
    Map<String, String> json = run.json();
    assertThat(json.get("exact")).isEqualTo("true");
    assertThat(json.get("mismatches")).isEqualTo("0");
    assertThat(json.get("items_streamed")).isEqualTo("true");
    assertThat(json.get("rocksdb_vs_heap")).isEqualTo("null");
    assertThat(Double.parseDouble(json.get("state_bytes_on_disk_per_item"))).isPositive();
    assertThat(Double.parseDouble(json.get("state_reads_per_query"))).isPositive();
    assertThat(json).containsKey("block_cache_hit_rate");
    assertThat(run.err()).contains("chunk at a time");
  }

  @Test
  void streamItemsNeedsTheRocksDbStore() {
    Run run = bench("--items", "synthetic:mf:n=100,d=8,seed=4", "--stream-items");
    assertThat(run.exit()).isNotZero();
    assertThat(run.err()).contains("--stream-items needs --store rocksdb");
  }

  @Test
  void endToEndPrintsItsKeys() {
    Run run =
        bench(
            "--e2e",
            "--items",
            "synthetic:clustered:n=2000,d=8,seed=1",
            "--standing",
            "20",
            "--k",
            "5",
            "--shards",
            "2",
            "--checkpoint-interval",
            "200ms",
            "--coalesce",
            "50ms",
            "--kept-nodes",
            "8",
            "--repeat",
            "2");
    assertThat(run.exit()).as(run.err()).isZero();
    String[] lines = run.out().strip().split("\n");
    assertThat(lines).hasSize(2);
    for (int r = 0; r < 2; r++) {
      Map<String, String> json = BenchCommandTest.parseFlatJson(lines[r]);
      assertThat(json.get("run")).isEqualTo(String.valueOf(r + 1));
      assertThat(json.get("exact")).isEqualTo("true");
    }
    Map<String, String> json = run.json();
    assertThat(new ArrayList<>(json.keySet()).subList(0, 5))
        .containsExactly(
            "items_per_s", "updates_per_s", "latency_ms_p50", "latency_ms_p99", "checkpoints");
    assertThat(Double.parseDouble(json.get("items_per_s"))).isPositive();
    assertThat(Long.parseLong(json.get("registered"))).isEqualTo(20);
    assertThat(Long.parseLong(json.get("updates"))).isPositive();
    assertThat(json.get("dead_letters")).isEqualTo("0");
    assertThat(json.get("coalesce_ms")).isEqualTo("50");
    assertThat(json.get("kept_nodes")).isEqualTo("8");
  }
}
