package io.simjoin.bench.data;

import io.simjoin.bench.data.SyntheticData.Kind;
import io.simjoin.bench.data.SyntheticData.Role;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where a benchmark's vectors come from: an {@code .fvecs} file (ids are the row numbers) or a
 * {@link SyntheticData} description {@code synthetic:KIND:n=N,d=D,seed=S}.
 *
 * <pre>{@code
 * DatasetSpec items = DatasetSpec.parse("synthetic:clustered:n=1000000,d=64,seed=1");
 * VectorSet v = items.load(Role.ITEMS);
 * VectorSet sift = DatasetSpec.parse("data/sift_base.fvecs").load(Role.ITEMS);
 * }</pre>
 */
public sealed interface DatasetSpec permits DatasetSpec.FvecsFile, DatasetSpec.Synthetic {

  /** What {@link #parse} accepts, for error messages and help text. */
  String FORMS =
      "a path to a .fvecs file or synthetic:KIND:n=N,d=D,seed=S"
          + " with KIND one of "
          + Kind.LABELS;

  /** Loads (or generates) the vectors; {@code role} picks the sample stream of synthetic data. */
  VectorSet load(Role role) throws IOException;

  /** The synthetic kind's label, or {@code "fvecs"} for a file. */
  String kind();

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException saying what is accepted, for an unknown kind or key, a missing
   *     or repeated key, a value that is not a positive integer, or a path not ending in .fvecs
   */
  static DatasetSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty data set: expected " + FORMS);
    }
    if (!text.startsWith("synthetic:")) {
      if (!text.toLowerCase(Locale.ROOT).endsWith(".fvecs")) {
        throw new IllegalArgumentException("'" + text + "' is not a data set: expected " + FORMS);
      }
      return new FvecsFile(Path.of(text));
    }
    String rest = text.substring("synthetic:".length());
    int colon = rest.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "'" + text + "' has no parameters: expected synthetic:KIND:n=N,d=D,seed=S");
    }
    Kind kind = Kind.fromLabel(rest.substring(0, colon));
    Map<String, Long> values = new HashMap<>();
    for (String part : rest.substring(colon + 1).split(",", -1)) {
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq).trim();
      if (!key.equals("n") && !key.equals("d") && !key.equals("seed")) {
        throw new IllegalArgumentException(
            "unknown parameter '" + part + "' in '" + text + "': expected n=N,d=D,seed=S");
      }
      if (eq < 0) {
        throw new IllegalArgumentException(
            "parameter '" + key + "' in '" + text + "' has no value: expected " + key + "=NUMBER");
      }
      long value;
      try {
        value = Long.parseLong(part.substring(eq + 1).trim().replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "parameter '" + part + "' in '" + text + "': expected an integer value", e);
      }
      if (values.put(key, value) != null) {
        throw new IllegalArgumentException("parameter '" + key + "' repeated in '" + text + "'");
      }
    }
    for (String key : new String[] {"n", "d", "seed"}) {
      if (!values.containsKey(key)) {
        throw new IllegalArgumentException(
            "'" + text + "' lacks " + key + "=: expected synthetic:KIND:n=N,d=D,seed=S");
      }
    }
    long n = values.get("n");
    long d = values.get("d");
    if (n < 1 || d < 1) {
      throw new IllegalArgumentException("n and d must be at least 1 in '" + text + "'");
    }
    VectorSet.checkedSize(n, d);
    return new Synthetic(kind, (int) n, (int) d, values.get("seed"));
  }

  /** Vectors read from an {@code .fvecs} file. */
  record FvecsFile(Path path) implements DatasetSpec {
    @Override
    public VectorSet load(Role role) throws IOException {
      return Fvecs.read(path);
    }

    @Override
    public String kind() {
      return "fvecs";
    }

    @Override
    public String toString() {
      return path.toString();
    }
  }

  /** A seeded synthetic data set. */
  record Synthetic(Kind type, int n, int d, long seed) implements DatasetSpec {
    public Synthetic {
      VectorSet.checkedSize(n, d);
    }

    @Override
    public VectorSet load(Role role) {
      return SyntheticData.generate(type, n, d, seed, role);
    }

    @Override
    public String kind() {
      return type.label();
    }

    /** The rows of {@link #load} a chunk at a time, never all in memory. */
    public void forEachChunk(Role role, SyntheticData.ChunkConsumer consumer) throws Exception {
      SyntheticData.forEachChunk(type, n, d, seed, role, consumer);
    }

    /** The same kind, dimension and seed with another count. */
    public Synthetic withN(int newN) {
      return new Synthetic(type, newN, d, seed);
    }

    @Override
    public String toString() {
      return "synthetic:" + type.label() + ":n=" + n + ",d=" + d + ",seed=" + seed;
    }
  }
}
