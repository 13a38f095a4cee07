package io.simjoin.state.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The codec must produce and accept exactly Flink's StringValue bytes. */
class StringValueCodecTest {

  static Stream<String> strings() {
    List<String> out = new ArrayList<>();
    out.add(null);
    out.add("");
    out.add("a");
    out.add("item-42");
    out.add("\u007f");
    out.add("\u0080");
    out.add("caf\u00e9");
    out.add("\u0100 maps to ? in Latin-1");
    out.add("ascii then \u4e2d\u6587 then ascii");
    out.add("\ud83d\ude00 surrogate pair");
    out.add("\uffff");
    out.add("x".repeat(127));
    out.add("x".repeat(128));
    out.add("y".repeat(16_384));
    out.add("\u00e9".repeat(70_000));
    Random r = new Random(7);
    for (int i = 0; i < 300; i++) {
      StringBuilder b = new StringBuilder();
      int len = r.nextInt(i < 150 ? 20 : 300);
      for (int j = 0; j < len; j++) {
        int kind = r.nextInt(4);
        b.append(
            (char)
                switch (kind) {
                  case 0, 1 -> r.nextInt(0x80);
                  case 2 -> r.nextInt(0x800);
                  default -> r.nextInt(0x10000);
                });
      }
      out.add(b.toString());
    }
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("strings")
  void writesFlinksBytesAndReadsThemBack(String s) throws IOException {
    DataOutputSerializer ours = new DataOutputSerializer(16);
    StringValueCodec.write(s, ours);
    DataOutputSerializer flinks = new DataOutputSerializer(16);
    StringValue.writeString(s, flinks);
    assertThat(ours.getCopyOfBuffer()).isEqualTo(flinks.getCopyOfBuffer());

    DataInputDeserializer in = new DataInputDeserializer(flinks.getCopyOfBuffer());
    assertThat(StringValueCodec.read(in)).isEqualTo(s);
    assertThat(in.available()).isZero();
  }

  @Test
  void readsConsecutiveStringsWithoutOverrunningTheirBytes() throws IOException {
    List<String> all = strings().toList();
    DataOutputSerializer flinks = new DataOutputSerializer(1024);
    for (String s : all) {
      StringValue.writeString(s, flinks);
      flinks.writeInt(0x5eed);
    }
    DataInputDeserializer in = new DataInputDeserializer(flinks.getCopyOfBuffer());
    for (String s : all) {
      assertThat(StringValueCodec.read(in)).isEqualTo(s);
      assertThat(in.readInt()).isEqualTo(0x5eed);
    }
    assertThat(in.available()).isZero();
  }
}
