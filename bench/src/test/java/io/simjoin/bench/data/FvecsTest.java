package io.simjoin.bench.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FvecsTest {
  @TempDir Path dir;

  private static VectorSet random(int n, int d, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] data = new float[n * d];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) rnd.nextGaussian();
    }
    return new VectorSet(n, d, data);
  }

  /** Little-endian bytes of a record stream: each int[] is {dim, floatBits...}. */
  private static byte[] bytes(Object... parts) {
    ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (Object p : parts) {
      if (p instanceof Integer i) {
        b.putInt(i);
      } else if (p instanceof Float f) {
        b.putFloat(f);
      } else if (p instanceof byte[] raw) {
        b.put(raw);
      }
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  @Test
  void roundTripKeepsEveryBit() throws IOException {
    VectorSet set = random(1000, 37, 1);
    set.data()[5] = Float.NaN;
    set.data()[6] = -0.0f;
    set.data()[7] = Float.POSITIVE_INFINITY;
    Path file = dir.resolve("sub/dir/x.fvecs");
    Fvecs.write(file, set);

    assertThat(Files.size(file)).isEqualTo(1000L * (4 + 4 * 37));
    VectorSet back = Fvecs.read(file);
    assertThat(back.n()).isEqualTo(1000);
    assertThat(back.d()).isEqualTo(37);
    for (int i = 0; i < set.data().length; i++) {
      assertThat(Float.floatToRawIntBits(back.data()[i]))
          .as("component %d", i)
          .isEqualTo(Float.floatToRawIntBits(set.data()[i]));
    }
    VectorSet head = Fvecs.read(file, 10);
    assertThat(head.n()).isEqualTo(10);
    assertThat(head.data()).containsExactly(Arrays.copyOf(set.data(), 370));
  }

  @Test
  void rowsWiderThanTheBufferRoundTrip() throws IOException {
    VectorSet set = random(3, 300_001, 2);
    Path file = dir.resolve("wide.fvecs");
    Fvecs.write(file, set);
    assertThat(Fvecs.read(file).data()).isEqualTo(set.data());
  }

  @Test
  void readsAHandBuiltFileValueByValue() throws IOException {
    Path file = dir.resolve("hand.fvecs");
    Files.write(file, bytes(3, 1.5f, -2f, 0.25f, 3, 1e30f, -1e-30f, 0f));
    // Spot-check the byte order itself: 1.5f is 0x3FC00000, stored low byte first.
    assertThat(Arrays.copyOfRange(Files.readAllBytes(file), 0, 8))
        .containsExactly(3, 0, 0, 0, 0, 0, (byte) 0xC0, 0x3F);

    VectorSet v = Fvecs.read(file);
    assertThat(v.n()).isEqualTo(2);
    assertThat(v.d()).isEqualTo(3);
    assertThat(v.row(0)).containsExactly(1.5f, -2f, 0.25f);
    assertThat(v.row(1)).containsExactly(1e30f, -1e-30f, 0f);
  }

  @Test
  void ivecsRoundTripAndLayout() throws IOException {
    Path file = dir.resolve("ids.ivecs");
    Fvecs.writeIvecs(file, new int[] {7, -1, 1 << 20, 0, 5, 6}, 2, 3);
    assertThat(Files.readAllBytes(file)).containsExactly(bytes(3, 7, -1, 1 << 20, 3, 0, 5, 6));
    int[][] back = Fvecs.readIvecs(file);
    assertThat(back).hasDimensions(2, 3);
    assertThat(back[0]).containsExactly(7, -1, 1 << 20);
    assertThat(back[1]).containsExactly(0, 5, 6);
  }

  @Test
  void truncatedVectorIsReportedWithFileAndRow() throws IOException {
    Path file = dir.resolve("cut.fvecs");
    Files.write(file, bytes(3, 1f, 2f, 3f, 3, 4f, 5f, new byte[] {1, 2}));
    assertThatThrownBy(() -> Fvecs.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("truncated at row 1")
        .hasMessageContaining("expected 3 components")
        .hasMessageContaining("found 2");
  }

  @Test
  void truncatedDimensionIsReported() throws IOException {
    Path file = dir.resolve("cutdim.fvecs");
    Files.write(file, bytes(2, 1f, 2f, new byte[] {2, 0}));
    assertThatThrownBy(() -> Fvecs.read(file))
        .hasMessageContaining("truncated at row 1")
        .hasMessageContaining("4-byte dimension");
  }

  @Test
  void fileShorterThanOneVectorIsTruncatedAtRowZero() throws IOException {
    Path file = dir.resolve("short.fvecs");
    Files.write(file, bytes(4, 1f));
    assertThatThrownBy(() -> Fvecs.read(file)).hasMessageContaining("truncated at row 0");
  }

  @Test
  void mixedDimensionsAreReportedWithRowAndExpectation() throws IOException {
    Path smaller = dir.resolve("mixed.fvecs");
    Files.write(smaller, bytes(3, 1f, 2f, 3f, 3, 1f, 2f, 3f, 2, 1f, 2f, 3, 1f, 2f, 3f));
    assertThatThrownBy(() -> Fvecs.read(smaller))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(smaller.toString())
        .hasMessageContaining("row 2 has dimension 2, expected 3");

    Path larger = dir.resolve("mixed2.fvecs");
    Files.write(larger, bytes(2, 1f, 2f, 4, 1f, 2f, 3f, 4f));
    assertThatThrownBy(() -> Fvecs.read(larger))
        .hasMessageContaining("row 1 has dimension 4, expected 2");
  }

  @Test
  void emptyAndNonPositiveDimensionsAreRejected() throws IOException {
    Path empty = dir.resolve("empty.fvecs");
    Files.write(empty, new byte[0]);
    assertThatThrownBy(() -> Fvecs.read(empty)).hasMessageContaining("empty file");

    Path zero = dir.resolve("zero.fvecs");
    Files.write(zero, bytes(0, 0));
    assertThatThrownBy(() -> Fvecs.read(zero))
        .hasMessageContaining("row 0 has dimension 0, expected a positive dimension");
  }
}
