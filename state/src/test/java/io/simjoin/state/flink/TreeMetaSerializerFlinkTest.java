package io.simjoin.state.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.state.TreeMeta;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;

/** Flink's serializer contract for {@link TreeMetaSerializer}. */
class TreeMetaSerializerFlinkTest extends SerializerTestBase<TreeMeta> {

  TreeMetaSerializerFlinkTest() {
    super(
        new DeeplyEqualsChecker()
            .withCustomCheck(
                (a, b) -> a instanceof TreeMeta && b instanceof TreeMeta,
                (a, b, checker) -> TestNodes.difference((TreeMeta) a, (TreeMeta) b) == null));
  }

  @Override
  protected TypeSerializer<TreeMeta> createSerializer() {
    return TreeMetaSerializer.INSTANCE;
  }

  @Override
  protected int getLength() {
    return -1;
  }

  @Override
  protected Class<TreeMeta> getTypeClass() {
    return TreeMeta.class;
  }

  @Override
  protected TreeMeta[] getTestData() {
    SplittableRandom r = new SplittableRandom(43);
    TreeMeta[] metas = new TreeMeta[10];
    for (int i = 0; i < metas.length; i++) {
      metas[i] = TestNodes.meta(r, i % 2 == 1);
    }
    return metas;
  }

  @Override
  protected void deepEquals(String message, TreeMeta should, TreeMeta is) {
    assertThat(TestNodes.difference(should, is)).as(message).isNull();
  }
}
