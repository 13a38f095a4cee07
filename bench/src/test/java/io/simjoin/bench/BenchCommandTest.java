package io.simjoin.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.simjoin.bench.data.DatasetSpec;
import io.simjoin.bench.data.Fvecs;
import io.simjoin.bench.data.SyntheticData;
import io.simjoin.bench.data.SyntheticData.Kind;
import io.simjoin.bench.data.SyntheticData.Role;
import io.simjoin.bench.data.VectorSet;
import io.simjoin.state.Match;
import io.simjoin.state.kernel.DotKernels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class BenchCommandTest {
  private static final List<String> CONTRACT_KEYS =
      List.of(
          "n",
          "d",
          "queries",
          "k",
          "build_s",
          "inserts_per_s",
          "tree_ms_p50",
          "tree_ms_p99",
          "tree_ms_mean",
          "scan_ms_p50",
          "scan_ms_p99",
          "scan_ms_mean",
          "speedup",
          "dots_fraction",
          "nodes_per_query",
          "store_reads_per_query",
          "heap_bytes_per_item",
          "exact");

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {
    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }

    Map<String, String> json() {
      return parseFlatJson(lastLine());
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

  /** Just enough of a JSON reader for one flat object of numbers, booleans, nulls and strings. */
  static Map<String, String> parseFlatJson(String line) {
    assertThat(line).startsWith("{").endsWith("}");
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile(
                "\"([a-z0-9_]+)\":(\"[^\"]*\"|-?[0-9.]+(?:[eE][-+]?[0-9]+)?|true|false|null)")
            .matcher(line);
    int end = 1;
    while (m.find()) {
      assertThat(m.start()).as("no junk before %s", m.group(1)).isEqualTo(end);
      out.put(m.group(1), m.group(2));
      end = m.end() + 1;
    }
    assertThat(end).as("parsed up to the closing brace of %s", line).isEqualTo(line.length());
    return out;
  }

  static Stream<Arguments> kindsWithAndWithoutDeletes() {
    return Arrays.stream(Kind.values())
        .flatMap(k -> Stream.of(Arguments.of(k, 0.0), Arguments.of(k, 0.3)));
  }

  @ParameterizedTest
  @MethodSource("kindsWithAndWithoutDeletes")
  void treeAgreesWithScanAndFilesMatchTheScan(Kind kind, double deletes) throws Exception {
    int n = 2000;
    int d = kind == Kind.SPECTRAL ? 24 : 16;
    int k = 10;
    String items = "synthetic:" + kind.label() + ":n=" + n + ",d=" + d + ",seed=3";
    String queries = "synthetic:" + kind.label() + ":n=40,d=" + d + ",seed=3";
    Path ids = dir.resolve("out/ids.ivecs");
    Path scores = dir.resolve("out/scores.fvecs");
    Run run =
        bench(
            "--items", items,
            "--queries", queries,
            "--k", Integer.toString(k),
            "--deletes", Double.toString(deletes),
            "--warmup", "3",
            "--out-ids", ids.toString(),
            "--out-scores", scores.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    Map<String, String> json = run.json();
    assertThat(new ArrayList<>(json.keySet()).subList(0, CONTRACT_KEYS.size()))
        .containsExactlyElementsOf(CONTRACT_KEYS);
    assertThat(json.get("exact")).isEqualTo("true");
    assertThat(json.get("n")).isEqualTo("2000");
    assertThat(json.get("d")).isEqualTo(Integer.toString(d));
    assertThat(json.get("queries")).isEqualTo("40");
    assertThat(json.get("k")).isEqualTo("10");
    assertThat(json.get("kind")).isEqualTo("\"" + kind.label() + "\"");
    int deleted = (int) Math.round(deletes * n);
    assertThat(json.get("deleted")).isEqualTo(Integer.toString(deleted));
    double dotsFraction = Double.parseDouble(json.get("dots_fraction"));
    assertThat(dotsFraction).isGreaterThan(0);

    // The files hold the tree's answers; they must be the scan's answers over the live rows.
    VectorSet itemSet = DatasetSpec.parse(items).load(Role.ITEMS);
    VectorSet querySet = DatasetSpec.parse(queries).load(Role.QUERIES);
    boolean[] gone = new boolean[n];
    for (int row : BenchCommand.victims(n, deleted)) {
      gone[row] = true;
    }
    int[] live = java.util.stream.IntStream.range(0, n).filter(r -> !gone[r]).toArray();
    ExactScan scan = new ExactScan(itemSet.select(live), live);
    int[][] gotIds = Fvecs.readIvecs(ids);
    VectorSet gotScores = Fvecs.read(scores);
    assertThat(gotIds).hasDimensions(40, k);
    assertThat(gotScores.n()).isEqualTo(40);
    assertThat(gotScores.d()).isEqualTo(k);
    for (int i = 0; i < 40; i++) {
      ExactScan.Result want = scan.topK(querySet.row(i), k);
      assertThat(gotIds[i]).as("query %d", i).containsExactly(want.ids());
      for (int j = 0; j < k; j++) {
        assertThat(gotScores.get(i, j))
            .isCloseTo(want.scores()[j], within(1e-5f * Math.abs(want.scores()[0])));
      }
    }
  }

  @Test
  void fvecsFilesAndDefaultOptions() throws Exception {
    Path items = dir.resolve("items.fvecs");
    Path queries = dir.resolve("queries.fvecs");
    Fvecs.write(items, SyntheticData.generate(Kind.MF, 500, 8, 1, Role.ITEMS));
    Fvecs.write(queries, SyntheticData.generate(Kind.MF, 7, 8, 1, Role.QUERIES));
    Run run = bench("--items", items.toString(), "--queries", queries.toString(), "--k", "600");
    assertThat(run.exit()).as(run.err()).isZero();
    Map<String, String> json = run.json();
    assertThat(json.get("queries")).isEqualTo("7");
    assertThat(json.get("k")).isEqualTo("600");
    assertThat(json.get("kind")).isEqualTo("\"fvecs\"");
    assertThat(json.get("exact")).isEqualTo("true");
  }

  @Test
  void treeShapeOptionsReachTheBuilder() {
    Run run =
        bench(
            "--items", "synthetic:clustered:n=1500,d=8,seed=4",
            "--queries", "synthetic:clustered:n=30,d=8,seed=4",
            "--bucket", "4",
            "--fanout", "3",
            "--deletes", "0.5");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.json()).containsEntry("bucket", "4").containsEntry("fanout", "3");
    assertThat(run.json().get("exact")).isEqualTo("true");
    assertThat(bench("--items", "synthetic:gauss:n=10,d=2,seed=1", "--fanout", "2").exit())
        .isEqualTo(2);
  }

  @Test
  void syntheticItemsDefaultToAThousandQueriesOfTheSameKind() {
    Run run = bench("--items", "synthetic:gauss:n=300,d=4,seed=2", "--warmup", "0");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.json().get("queries")).isEqualTo("1000");
    assertThat(run.err()).contains("synthetic:gauss:n=1000,d=4,seed=2");
  }

  @Test
  void badInputExitsWithTwoAndSaysWhy() throws Exception {
    Run badSpec = bench("--items", "synthetic:uniform:n=10,d=2,seed=1");
    assertThat(badSpec.exit()).isEqualTo(2);
    assertThat(badSpec.err()).contains("gauss, mf, clustered, spectral");
    assertThat(badSpec.out()).isEmpty();

    Path items = dir.resolve("i.fvecs");
    Fvecs.write(items, SyntheticData.generate(Kind.GAUSS, 10, 3, 1, Role.ITEMS));
    assertThat(bench("--items", items.toString()).err())
        .contains("--queries is required when --items is a file");

    Run wrongDim =
        bench("--items", items.toString(), "--queries", "synthetic:gauss:n=5,d=4,seed=1");
    assertThat(wrongDim.exit()).isEqualTo(2);
    assertThat(wrongDim.err()).contains("dimension 4 but items have 3");

    assertThat(
            bench("--items", dir.resolve("missing.fvecs").toString(), "--queries", "x.fvecs")
                .exit())
        .isEqualTo(2);
    assertThat(bench("--items", "synthetic:gauss:n=10,d=2,seed=1", "--deletes", "1").exit())
        .isEqualTo(2);
    assertThat(bench("--items", "synthetic:gauss:n=10,d=2,seed=1", "--k", "0").exit()).isEqualTo(2);
    Run badCoalesce = bench("--items", "synthetic:gauss:n=10,d=2,seed=1", "--coalesce", "soon");
    assertThat(badCoalesce.exit()).isEqualTo(2);
    assertThat(badCoalesce.err()).contains("--coalesce must be a duration like 100ms");
    Run badKept = bench("--items", "synthetic:gauss:n=10,d=2,seed=1", "--kept-nodes", "-1");
    assertThat(badKept.exit()).isEqualTo(2);
    assertThat(badKept.err()).contains("--kept-nodes must not be negative");
    Run repeatAlone = bench("--items", "synthetic:gauss:n=10,d=2,seed=1", "--repeat", "2");
    assertThat(repeatAlone.exit()).isEqualTo(2);
    assertThat(repeatAlone.err()).contains("--repeat needs --e2e");
    Run noRuns = bench("--e2e", "--items", "synthetic:gauss:n=10,d=2,seed=1", "--repeat", "0");
    assertThat(noRuns.exit()).isEqualTo(2);
    assertThat(noRuns.err()).contains("--repeat must be at least 1");
    Run kafkaAlone = bench("--items", "synthetic:gauss:n=10,d=2,seed=1", "--kafka");
    assertThat(kafkaAlone.exit()).isEqualTo(2);
    assertThat(kafkaAlone.err()).contains("--kafka needs --e2e");
  }

  @Test
  void disagreementAcceptsNearTiesAndNothingElse() {
    VectorSet items = new VectorSet(4, 1, new float[] {3f, 2f, 2.0000005f, 1f});
    boolean[] deleted = new boolean[4];
    float[] q = {1};
    ExactScan.Result scan = new ExactScan(items).topK(q, 3);
    assertThat(scan.ids()).containsExactly(0, 2, 1);
    var kernel = DotKernels.best();

    List<Match> same = List.of(new Match("0", 3f), new Match("2", 2.0000005f), new Match("1", 2f));
    assertThat(BenchCommand.disagreement(q, same, scan, items, deleted, kernel)).isNull();
    List<Match> swapped =
        List.of(new Match("0", 3f), new Match("1", 2f), new Match("2", 2.0000005f));
    assertThat(BenchCommand.disagreement(q, swapped, scan, items, deleted, kernel)).isNull();

    List<Match> wrongItem =
        List.of(new Match("0", 3f), new Match("2", 2.0000005f), new Match("3", 1f));
    assertThat(BenchCommand.disagreement(q, wrongItem, scan, items, deleted, kernel))
        .contains("position 2");
    List<Match> lyingScore = List.of(new Match("0", 3f), new Match("2", 2.5f), new Match("1", 2f));
    assertThat(BenchCommand.disagreement(q, lyingScore, scan, items, deleted, kernel))
        .contains("inner product");
    List<Match> twice = List.of(new Match("0", 3f), new Match("2", 2.0000005f), new Match("2", 2f));
    assertThat(BenchCommand.disagreement(q, twice, scan, items, deleted, kernel)).contains("twice");
    assertThat(BenchCommand.disagreement(q, same.subList(0, 2), scan, items, deleted, kernel))
        .contains("2 matches");
    List<Match> unknown = List.of(new Match("0", 3f), new Match("02", 2f), new Match("1", 2f));
    assertThat(BenchCommand.disagreement(q, unknown, scan, items, deleted, kernel))
        .contains("unknown id");
    deleted[2] = true;
    assertThat(BenchCommand.disagreement(q, same, scan, items, deleted, kernel))
        .contains("deleted");
  }

  @Test
  void percentilesAreNearestRank() {
    long[] ns = new long[100];
    for (int i = 0; i < 100; i++) {
      ns[i] = (100 - i) * 1_000_000L;
    }
    assertThat(BenchCommand.percentileMs(ns, 50)).isEqualTo(50.0);
    assertThat(BenchCommand.percentileMs(ns, 99)).isEqualTo(99.0);
    assertThat(BenchCommand.meanMs(ns)).isEqualTo(50.5);
    assertThat(BenchCommand.percentileMs(new long[] {7_000_000L}, 99)).isEqualTo(7.0);
  }

  @Test
  void victimsAreADeterministicSampleWithoutRepeats() {
    int[] a = BenchCommand.victims(1000, 300);
    assertThat(a).hasSize(300).doesNotHaveDuplicates();
    assertThat(Arrays.stream(a).allMatch(r -> r >= 0 && r < 1000)).isTrue();
    assertThat(BenchCommand.victims(1000, 300)).containsExactly(a);
  }
}
