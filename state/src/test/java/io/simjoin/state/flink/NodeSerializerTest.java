package io.simjoin.state.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.state.Basis;
import io.simjoin.state.Bucket;
import io.simjoin.state.Node;
import io.simjoin.state.RoutingNode;
import io.simjoin.state.TreeMeta;
import java.io.IOException;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

/** Round trips and formats of the node and meta serializers, beyond Flink's generic test base. */
class NodeSerializerTest {

  private static <T> byte[] bytes(TypeSerializer<T> s, T value) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    s.serialize(value, out);
    return out.getCopyOfBuffer();
  }

  private static <T> T roundTrip(TypeSerializer<T> s, T value) throws IOException {
    byte[] b = bytes(s, value);
    DataInputDeserializer in = new DataInputDeserializer(b);
    T back = s.deserialize(in);
    assertThat(in.available()).as("trailing bytes").isZero();
    return back;
  }

  @Test
  void randomNodesRoundTripBitForBit() throws IOException {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 2000; i++) {
      Node n = TestNodes.randomNode(r);
      Node back = roundTrip(NodeSerializer.INSTANCE, n);
      assertThat(TestNodes.difference(n, back)).as("node %d: %s", i, n).isNull();
    }
  }

  /**
   * The byte counts {@link MapStateNodeStore} reports come from these sizes, so they must be the
   * serialized lengths exactly, ids with chars beyond ASCII included.
   */
  @Test
  void serializedSizesAreTheSerializedLengths() throws IOException {
    SplittableRandom r = new SplittableRandom(13);
    for (int i = 0; i < 2000; i++) {
      Node n = TestNodes.randomNode(r);
      assertThat(NodeSerializer.serializedSize(n))
          .as("node %d: %s", i, n)
          .isEqualTo(bytes(NodeSerializer.INSTANCE, n).length);
    }
    for (boolean withBasis : new boolean[] {false, true}) {
      TreeMeta m = TestNodes.meta(r, withBasis);
      assertThat(TreeMetaSerializer.serializedSize(m))
          .isEqualTo(bytes(TreeMetaSerializer.INSTANCE, m).length);
    }
    for (String id : new String[] {"a", "é", "\u20ac\u20ac", "x".repeat(200), "\ud83d\ude00"}) {
      DataOutputSerializer out = new DataOutputSerializer(16);
      StringValue.writeString(id, out);
      assertThat(NodeSerializer.stringSize(id)).as(id).isEqualTo(out.length());
    }
  }

  @Test
  void bucketVariantsRoundTrip() throws IOException {
    SplittableRandom r = new SplittableRandom(11);
    for (boolean bars : new boolean[] {false, true}) {
      for (int head : new int[] {0, 1, 4}) {
        for (int size : new int[] {0, 1, 2, 257}) {
          Bucket b = TestNodes.bucket(r, 8, size, bars, head);
          Bucket back = (Bucket) roundTrip(NodeSerializer.INSTANCE, b);
          assertThat(TestNodes.difference(b, back)).isNull();
          assertThat(back.hasBars()).isEqualTo(bars);
          assertThat(back.heads() == null).isEqualTo(head == 0);
          assertThat(back.head()).isEqualTo(head);
        }
      }
    }
  }

  @Test
  void idsLongerThanWriteUtfAllowsAndUnicodeIdsRoundTrip() throws IOException {
    // 'é' takes two bytes in modified UTF-8: 100,000 of them are far beyond writeUTF's 64 KB.
    String longId = "é".repeat(100_000) + "\uD83D\uDE00";
    String[] ids = {longId, "日本語", "\uD834\uDD1E clef", "nul\u0000nul", "x", ""};
    Bucket b = new Bucket(3, 1, true, 0, 5L);
    float norm = 10;
    for (String id : ids) {
      b.append(id, new float[] {1, 2, 3}, 0, norm--, -1f, null, 0, 0f);
    }
    Bucket back = (Bucket) roundTrip(NodeSerializer.INSTANCE, b);
    for (int i = 0; i < ids.length; i++) {
      assertThat(back.id(i)).isEqualTo(ids[i]);
    }
    assertThat(TestNodes.difference(b, back)).isNull();
  }

  @Test
  void writesLiveEntriesOnlyNotArrayCapacity() throws IOException {
    SplittableRandom r = new SplittableRandom(3);
    int dim = 5;
    Bucket roomy = new Bucket(dim, 1000, true, 2, 9L);
    Bucket tight = new Bucket(dim, 3, true, 2, 9L);
    for (int i = 0; i < 3; i++) {
      float[] v = TestNodes.values(r, dim);
      float[] hd = TestNodes.values(r, 2);
      roomy.append("p" + i, v, 0, 3 - i, i, hd, 0, 0.5f);
      tight.append("p" + i, v, 0, 3 - i, i, hd, 0, 0.5f);
    }
    byte[] a = bytes(NodeSerializer.INSTANCE, roomy);
    assertThat(a).isEqualTo(bytes(NodeSerializer.INSTANCE, tight));
    // tag, parent, dim, size, bars flag, head; 3 ids of 3 bytes (length + 2 chars);
    // per point dim vector floats, norm, bar, 2 head floats, tail
    int header = 1 + 8 + 4 + 4 + 1 + 4;
    assertThat(a).hasSize(header + 3 * 3 + 3 * 4 * (dim + 1 + 1 + 2 + 1));

    RoutingNode routing = TestNodes.routing(r, dim, 33, 2);
    // tag, parent, dim, capacity, size; per entry id, flag, centre, radius, max norm, min bar
    int expected = 1 + 8 + 4 + 4 + 4 + 2 * (8 + 1 + 4 * (dim + 3));
    assertThat(bytes(NodeSerializer.INSTANCE, routing)).hasSize(expected);
  }

  @Test
  void routingNodesKeepTheirCapacitySoTheTreeCanFillThem() throws IOException {
    RoutingNode n = TestNodes.routing(new SplittableRandom(1), 4, 33, 1);
    RoutingNode back = (RoutingNode) roundTrip(NodeSerializer.INSTANCE, n);
    assertThat(back.capacity()).isEqualTo(33);
    for (int e = 1; e < 33; e++) {
      back.addEntry(e, true, new float[4], 0, 0, 0, 0);
    }
    assertThat(back.size()).isEqualTo(33);
  }

  @Test
  void deserializedBucketsTakeTheNextPointWithoutLosingNormOrder() throws IOException {
    Bucket b = TestNodes.bucket(new SplittableRandom(2), 3, 4, false, 0);
    Bucket back = (Bucket) roundTrip(NodeSerializer.INSTANCE, b);
    for (int i = 1; i < back.size(); i++) {
      assertThat(back.norm(i)).isLessThanOrEqualTo(back.norm(i - 1));
    }
    back.append("next", new float[3], 0, 0f, 0f, null, 0, 0f);
    assertThat(back.size()).isEqualTo(5);
  }

  @Test
  void aBucketRecordOutOfNormOrderIsRejected() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    out.writeByte(1); // bucket
    out.writeLong(0); // parent
    out.writeInt(1); // dim
    out.writeInt(2); // size
    out.writeBoolean(false); // no bars
    out.writeInt(0); // no head
    StringValue.writeString("a", out);
    StringValue.writeString("b", out);
    out.writeFloat(1f); // vectors
    out.writeFloat(2f);
    out.writeFloat(1f); // norms ascending: not a bucket any tree wrote
    out.writeFloat(2f);
    byte[] bad = out.getCopyOfBuffer();
    assertThatThrownBy(() -> NodeSerializer.INSTANCE.deserialize(new DataInputDeserializer(bad)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("descending order of norm");
  }

  @Test
  void copiesAreDeep() {
    SplittableRandom r = new SplittableRandom(5);
    Bucket b = TestNodes.bucket(r, 4, 6, true, 2);
    Bucket c = (Bucket) NodeSerializer.INSTANCE.copy(b);
    assertThat(c).isNotSameAs(b);
    assertThat(c.vectors()).isNotSameAs(b.vectors());
    assertThat(c.heads()).isNotSameAs(b.heads());
    float before = c.vectors()[0];
    b.vectors()[0] = 1234f;
    assertThat(c.vectors()[0]).isEqualTo(before);

    RoutingNode n = TestNodes.routing(r, 4, 8, 3);
    RoutingNode m = (RoutingNode) NodeSerializer.INSTANCE.copy(n, null);
    n.centres()[0] = 99f;
    assertThat(m.centres()[0]).isNotEqualTo(99f);

    TreeMeta meta = TestNodes.meta(r, true);
    TreeMeta copy = TreeMetaSerializer.INSTANCE.copy(meta);
    assertThat(copy.basis().rows()).isNotSameAs(meta.basis().rows());
    assertThat(TestNodes.difference(meta, copy)).isNull();
  }

  @Test
  void metaRoundTripsWithAndWithoutBasis() throws IOException {
    SplittableRandom r = new SplittableRandom(9);
    for (int i = 0; i < 200; i++) {
      TreeMeta m = TestNodes.meta(r, i % 2 == 0);
      TreeMeta back = roundTrip(TreeMetaSerializer.INSTANCE, m);
      assertThat(TestNodes.difference(m, back)).isNull();
    }
    double[] rows = {1, 0, 0, 0, 1, 0};
    TreeMeta m = new TreeMeta(3, 10, 4, 4096, new Basis(3, 2, rows));
    // int, three longs, flag, two ints, six doubles
    assertThat(bytes(TreeMetaSerializer.INSTANCE, m)).hasSize(4 + 24 + 1 + 8 + 6 * 8);
  }

  @Test
  void snapshotsRestoreAsIsAndRefuseUnknownFormats() throws IOException {
    assertCurrentSnapshotRestores(NodeSerializer.INSTANCE);
    assertCurrentSnapshotRestores(TreeMetaSerializer.INSTANCE);

    // A snapshot of a newer layout, and one recording a node format newer than this build reads.
    NodeSerializer.NodeSerializerSnapshot future = new NodeSerializer.NodeSerializerSnapshot();
    assertThatThrownBy(
            () ->
                future.readSnapshot(
                    future.getCurrentVersion() + 1,
                    new DataInputDeserializer(new byte[0]),
                    getClass().getClassLoader()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("snapshot version 2 is unknown");
    DataOutputSerializer newerFormat = new DataOutputSerializer(4);
    newerFormat.writeInt(NodeSerializer.NodeSerializerSnapshot.CURRENT_VERSION + 1);
    assertThatThrownBy(
            () ->
                future.readSnapshot(
                    future.getCurrentVersion(),
                    new DataInputDeserializer(newerFormat.getCopyOfBuffer()),
                    getClass().getClassLoader()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("format version 2 is unknown");
    TreeMetaSerializer.TreeMetaSerializerSnapshot none =
        new TreeMetaSerializer.TreeMetaSerializerSnapshot();
    assertThatThrownBy(
            () ->
                none.readSnapshot(
                    0, new DataInputDeserializer(new byte[0]), getClass().getClassLoader()))
        .isInstanceOf(IOException.class);
  }

  private <T> void assertCurrentSnapshotRestores(TypeSerializer<T> serializer) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
    TypeSerializerSnapshot<T> restored =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    assertThat(restored).isInstanceOf(serializer.snapshotConfiguration().getClass());
    TypeSerializerSchemaCompatibility<T> compat =
        serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
    assertThat(compat.isCompatibleAsIs()).isTrue();
    assertThat(restored.restoreSerializer()).isSameAs(serializer);
  }
}
