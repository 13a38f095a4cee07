package io.simjoin.bench.data;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Seeded synthetic data sets that imitate what a MIPS index meets in practice, from the hopeless
 * (isotropic Gaussian: nothing can be pruned) to the easy (tight clusters).
 *
 * <ul>
 *   <li>{@code gauss}: x ~ N(0, I).
 *   <li>{@code mf}: uniform random directions times log-normal norms (σ = 0.5), like the factors of
 *       a matrix factorisation.
 *   <li>{@code clustered}: 100 centres uniform on the sphere; each direction is normalize(centre +
 *       N(0, 0.06²·I)) for a centre drawn uniformly; log-normal norms (σ = 0.5).
 *   <li>{@code spectral}: x = μ + U·diag(i^-0.75)·z with U a random orthogonal matrix, ‖μ‖ = 1 and
 *       z ~ N(0, I): the decaying spectrum and mean offset of real embeddings.
 *   <li>{@code image}: x = max(0, ν + U·diag(s)·z), clipped at zero, with ν a non-negative mean
 *       ("the average image", ‖ν‖ = 1, about 80 % of the energy), U a random orthogonal matrix, s a
 *       spectrum that decays slowly over the first {@value #IMAGE_MODES} directions (s_j ∝ j^-0.25)
 *       and fast after them (∝ j^-1.5), scaled so that Σ s_j² = {@value #IMAGE_ENERGY}. It imitates
 *       non-negative real vectors such as pixels or bag-of-words counts: the mean direction and
 *       three more hold 80 % of the energy, yet what tells one vector from another lies in the next
 *       dozen directions, so a partial product over a head of 4 directions prunes little while one
 *       over 16 prunes nearly everything the norm bound leaves.
 * </ul>
 *
 * <p>The structure of a data set (centres, U, μ, ν) depends only on the seed; the samples come from
 * a stream that depends on the seed and the {@link Role}. Items and queries made with the same seed
 * therefore share their clusters and basis but not their points. The output is bit-for-bit the same
 * on every run and for any number of threads: rows are generated in fixed chunks, each from its own
 * seeded generator, with float arithmetic that gives the same bits with or without the Vector API.
 *
 * <pre>{@code
 * VectorSet items = SyntheticData.generate(Kind.CLUSTERED, 1_000_000, 64, 1, Role.ITEMS);
 * VectorSet queries = SyntheticData.generate(Kind.CLUSTERED, 1_000, 64, 1, Role.QUERIES);
 * }</pre>
 */
public final class SyntheticData {
  /** Number of cluster centres of {@link Kind#CLUSTERED}. */
  public static final int CENTRES = 100;

  /** σ of the log-normal norms of {@link Kind#MF} and {@link Kind#CLUSTERED} (μ = 0). */
  public static final double NORM_SIGMA = 0.5;

  /** Per-coordinate standard deviation of the noise added to a centre in {@link Kind#CLUSTERED}. */
  public static final double CLUSTER_SPREAD = 0.06;

  /** Component i (1-based) of a {@link Kind#SPECTRAL} vector has scale i^-SPECTRUM_EXPONENT. */
  public static final double SPECTRUM_EXPONENT = 0.75;

  /** Number of slowly decaying directions of {@link Kind#IMAGE}. */
  public static final int IMAGE_MODES = 16;

  /** Expected squared norm of the fluctuation of {@link Kind#IMAGE} around its unit-norm mean. */
  public static final double IMAGE_ENERGY = 0.3;

  // Rows per independently seeded chunk: fixes the output regardless of how chunks are scheduled.
  private static final int CHUNK_ROWS = 4096;

  private static final long CENTRES_STREAM = 0x43454e5452455321L;
  private static final long ROTATION_STREAM = 0x524f544154494f4eL;
  private static final long MEAN_STREAM = 0x4d45414e56454354L;
  private static final long IMAGE_MEAN_STREAM = 0x494d4147454d4541L;

  private SyntheticData() {}

  /** The data kinds; {@link #label()} is the name used in {@code synthetic:KIND:...}. */
  public enum Kind {
    GAUSS,
    MF,
    CLUSTERED,
    SPECTRAL,
    IMAGE;

    /** Every kind's label, comma separated, for messages: "gauss, mf, ...". */
    public static final String LABELS = "gauss, mf, clustered, spectral, image";

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind named {@code label} ({@code gauss}, {@code mf}, {@code clustered}, {@code spectral},
     * {@code image}).
     *
     * @throws IllegalArgumentException naming the accepted kinds
     */
    public static Kind fromLabel(String label) {
      for (Kind k : values()) {
        if (k.label().equals(label)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "unknown synthetic kind '" + label + "': expected one of " + LABELS);
    }
  }

  /** Which sample stream a set is drawn from; the structure is shared between roles. */
  public enum Role {
    ITEMS(0x4954454d53L),
    QUERIES(0x5155455249455320L);

    private final long salt;

    Role(long salt) {
      this.salt = salt;
    }
  }

  /** Generates {@code n} vectors of dimension {@code d}, using both cores where available. */
  public static VectorSet generate(Kind kind, int n, int d, long seed, Role role) {
    VectorSet out = VectorSet.zeros(n, d);
    float[] data = out.data();
    RowSampler sampler = sampler(kind, d, seed);
    int chunks = (n + CHUNK_ROWS - 1) / CHUNK_ROWS;
    IntStream.range(0, chunks)
        .parallel()
        .forEach(
            c -> {
              SplittableRandom rnd = new SplittableRandom(mix(seed, role.salt, c));
              float[] scratch = new float[d];
              int end = Math.min(n, (c + 1) * CHUNK_ROWS);
              for (int r = c * CHUNK_ROWS; r < end; r++) {
                sampler.sample(rnd, data, r * d, scratch);
              }
            });
    return out;
  }

  /** Receives consecutive rows of a data set generated a chunk at a time. */
  @FunctionalInterface
  public interface ChunkConsumer {
    /**
     * Rows {@code [firstRow, firstRow + chunk.n())} of the data set; {@code chunk} is reused for
     * the next call, so copy what must outlive it.
     */
    void accept(int firstRow, VectorSet chunk) throws Exception;
  }

  /**
   * The rows of {@link #generate} with the same arguments, bit for bit, handed over a chunk at a
   * time in row order: for data sets larger than the heap (a benchmark of state larger than
   * memory), which are never held whole.
   *
   * <pre>{@code
   * SyntheticData.forEachChunk(Kind.CLUSTERED, 4_000_000, 64, 1, Role.ITEMS,
   *     (first, chunk) -> { for (int r = 0; r < chunk.n(); r++) tree.insert(id(first + r), chunk.row(r)); });
   * }</pre>
   */
  public static void forEachChunk(
      Kind kind, int n, int d, long seed, Role role, ChunkConsumer consumer) throws Exception {
    VectorSet.checkedSize(n, d);
    RowSampler sampler = sampler(kind, d, seed);
    float[] scratch = new float[d];
    VectorSet full = VectorSet.zeros(Math.min(n, CHUNK_ROWS), d);
    for (int c = 0; (long) c * CHUNK_ROWS < n; c++) {
      int first = c * CHUNK_ROWS;
      int rows = Math.min(CHUNK_ROWS, n - first);
      VectorSet chunk = rows == full.n() ? full : full.head(rows);
      SplittableRandom rnd = new SplittableRandom(mix(seed, role.salt, c));
      for (int r = 0; r < rows; r++) {
        sampler.sample(rnd, chunk.data(), r * d, scratch);
      }
      consumer.accept(first, chunk);
    }
  }

  /** The {@link #CENTRES} unit-norm centres of {@link Kind#CLUSTERED} for a seed, row-major. */
  public static float[] centres(int d, long seed) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, CENTRES_STREAM, 0));
    float[] c = new float[CENTRES * d];
    for (int i = 0; i < CENTRES; i++) {
      randomUnit(rnd, c, i * d, d);
    }
    return c;
  }

  /** The unit-norm mean offset μ of {@link Kind#SPECTRAL} for a seed. */
  public static float[] mean(int d, long seed) {
    float[] mu = new float[d];
    randomUnit(new SplittableRandom(mix(seed, MEAN_STREAM, 0)), mu, 0, d);
    return mu;
  }

  /**
   * The non-negative unit-norm mean ν of {@link Kind#IMAGE} for a seed: components 0.5 + |g|/2 for
   * Gaussian g, normalised, so every direction of the mean is positive as an average image is.
   */
  public static float[] imageMean(int d, long seed) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, IMAGE_MEAN_STREAM, 0));
    double[] nu = new double[d];
    double norm = 0;
    for (int t = 0; t < d; t++) {
      nu[t] = 0.5 + 0.5 * Math.abs(rnd.nextGaussian());
      norm += nu[t] * nu[t];
    }
    float[] out = new float[d];
    for (int t = 0; t < d; t++) {
      out[t] = (float) (nu[t] / Math.sqrt(norm));
    }
    return out;
  }

  /**
   * Scales s of {@link Kind#IMAGE}: j^-0.25 for the first {@link #IMAGE_MODES} directions (1-based
   * j), then falling as (j/IMAGE_MODES)^-1.5 from there, scaled so that Σ s_j² = {@link
   * #IMAGE_ENERGY}.
   */
  public static float[] imageSpectrum(int d) {
    double[] s = new double[d];
    double sum = 0;
    for (int i = 0; i < d; i++) {
      int j = i + 1;
      s[i] =
          j <= IMAGE_MODES
              ? Math.pow(j, -0.25)
              : Math.pow(IMAGE_MODES, -0.25) * Math.pow((double) j / IMAGE_MODES, -1.5);
      sum += s[i] * s[i];
    }
    float[] out = new float[d];
    for (int i = 0; i < d; i++) {
      out[i] = (float) (s[i] * Math.sqrt(IMAGE_ENERGY / sum));
    }
    return out;
  }

  /**
   * The random orthogonal matrix of {@link Kind#SPECTRAL} for a seed, d×d row-major: Gram–Schmidt
   * (applied twice, for orthogonality to rounding) on the rows of a Gaussian matrix, which makes it
   * uniformly distributed. Row j is the direction that component j of the scaled z is added along.
   */
  public static float[] rotation(int d, long seed) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, ROTATION_STREAM, 0));
    double[] q = new double[d * d];
    for (int i = 0; i < d; i++) {
      int oi = i * d;
      double norm;
      do {
        for (int t = 0; t < d; t++) {
          q[oi + t] = rnd.nextGaussian();
        }
        for (int pass = 0; pass < 2; pass++) {
          for (int j = 0; j < i; j++) {
            int oj = j * d;
            double p = 0;
            for (int t = 0; t < d; t++) {
              p += q[oi + t] * q[oj + t];
            }
            for (int t = 0; t < d; t++) {
              q[oi + t] -= p * q[oj + t];
            }
          }
        }
        norm = 0;
        for (int t = 0; t < d; t++) {
          norm += q[oi + t] * q[oi + t];
        }
        norm = Math.sqrt(norm);
      } while (!(norm > 1e-6));
      for (int t = 0; t < d; t++) {
        q[oi + t] /= norm;
      }
    }
    float[] out = new float[d * d];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) q[i];
    }
    return out;
  }

  /** Scale of component {@code i} (0-based) of the spectral z: (i+1)^-0.75. */
  public static float[] spectrum(int d) {
    float[] s = new float[d];
    for (int i = 0; i < d; i++) {
      s[i] = (float) Math.pow(i + 1, -SPECTRUM_EXPONENT);
    }
    return s;
  }

  /** Writes one sample into {@code out[off, off+d)}; {@code scratch} is a d-float work array. */
  private interface RowSampler {
    void sample(SplittableRandom rnd, float[] out, int off, float[] scratch);
  }

  private static RowSampler sampler(Kind kind, int d, long seed) {
    switch (kind) {
      case GAUSS:
        return (rnd, out, off, scratch) -> {
          for (int t = 0; t < d; t++) {
            out[off + t] = (float) rnd.nextGaussian();
          }
        };
      case MF:
        return (rnd, out, off, scratch) -> {
          randomUnit(rnd, out, off, d);
          scale(out, off, d, logNormal(rnd));
        };
      case CLUSTERED:
        {
          float[] centres = centres(d, seed);
          return (rnd, out, off, scratch) -> {
            int c = rnd.nextInt(CENTRES) * d;
            double norm;
            do {
              norm = 0;
              for (int t = 0; t < d; t++) {
                double v = centres[c + t] + CLUSTER_SPREAD * rnd.nextGaussian();
                scratch[t] = (float) v;
                norm += v * v;
              }
            } while (!(norm > 0));
            double f = logNormal(rnd) / Math.sqrt(norm);
            for (int t = 0; t < d; t++) {
              out[off + t] = (float) (scratch[t] * f);
            }
          };
        }
      case SPECTRAL:
        return rotated(rotation(d, seed), mean(d, seed), spectrum(d), d, false);
      case IMAGE:
        return rotated(rotation(d, seed), imageMean(d, seed), imageSpectrum(d), d, true);
      default:
        throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  /** x = mean + U·diag(spectrum)·z, clipped at zero when {@code clip}. */
  private static RowSampler rotated(
      float[] basis, float[] mean, float[] spectrum, int d, boolean clip) {
    return (rnd, out, off, scratch) -> {
      System.arraycopy(mean, 0, out, off, d);
      // x = μ + Σ_j (s_j z_j)·row_j as one axpy per j: no sum is reordered, so vector and scalar
      // paths give the same bits.
      for (int j = 0; j < d; j++) {
        float a = (float) (spectrum[j] * rnd.nextGaussian());
        Axpy.BEST.axpy(a, basis, j * d, out, off, d);
      }
      if (clip) {
        for (int t = 0; t < d; t++) {
          out[off + t] = Math.max(0f, out[off + t]);
        }
      }
    };
  }

  private static double logNormal(SplittableRandom rnd) {
    return Math.exp(NORM_SIGMA * rnd.nextGaussian());
  }

  private static void scale(float[] a, int off, int d, double f) {
    for (int t = 0; t < d; t++) {
      a[off + t] = (float) (a[off + t] * f);
    }
  }

  /** A direction uniform on the unit sphere: a normalised Gaussian vector. */
  private static void randomUnit(SplittableRandom rnd, float[] out, int off, int d) {
    double norm;
    do {
      norm = 0;
      for (int t = 0; t < d; t++) {
        double g = rnd.nextGaussian();
        out[off + t] = (float) g;
        norm += g * g;
      }
    } while (!(norm > 0));
    scale(out, off, d, 1 / Math.sqrt(norm));
  }

  /** SplitMix64's finaliser over the seed and two stream labels: independent, well-mixed seeds. */
  static long mix(long seed, long stream, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + stream;
    z = fmix(z) + index * 0xBF58476D1CE4E5B9L;
    return fmix(z ^ 0x94D049BB133111EBL);
  }

  private static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
