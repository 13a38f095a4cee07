package io.simjoin.state.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.state.Node;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;

/**
 * Flink's own serializer contract ({@link SerializerTestBase} from flink-core's test jar): copies,
 * reuse, sequences, serialized copies, snapshot and restore, duplication across threads.
 */
class NodeSerializerFlinkTest extends SerializerTestBase<Node> {

  NodeSerializerFlinkTest() {
    super(
        new DeeplyEqualsChecker()
            .withCustomCheck(
                (a, b) -> a instanceof Node && b instanceof Node,
                (a, b, checker) -> TestNodes.difference((Node) a, (Node) b) == null));
  }

  @Override
  protected TypeSerializer<Node> createSerializer() {
    return NodeSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<Node> getTypeClass() {
    return Node.class;
  }

  @Override
  protected Node[] getTestData() {
    SplittableRandom r = new SplittableRandom(42);
    Node[] nodes = new Node[24];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] =
          switch (i % 4) {
            case 0 -> TestNodes.routing(r, 1 + r.nextInt(8), 33, r.nextInt(34));
            case 1 -> TestNodes.bucket(r, 1 + r.nextInt(8), r.nextInt(20), false, 0);
            case 2 -> TestNodes.bucket(r, 8, 1 + r.nextInt(20), true, 0);
            default -> TestNodes.bucket(r, 8, 1 + r.nextInt(20), r.nextBoolean(), 4);
          };
    }
    return nodes;
  }

  @Override
  protected void deepEquals(String message, Node should, Node is) {
    assertThat(TestNodes.difference(should, is)).as(message).isNull();
  }
}
