package io.simjoin.operators.join;

import io.simjoin.state.Match;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.testutils.DeeplyEqualsChecker;

/** Values of the join's records and state types covering the edges of every field. */
final class JoinSamples {

  /** Longer than writeUTF's 64 KB limit, with characters outside the BMP. */
  static final String HUGE = "ß€😀".repeat(30_000);

  private JoinSamples() {}

  static List<Match> matches(Object... idScore) {
    Match[] m = new Match[idScore.length / 2];
    for (int i = 0; i < m.length; i++) {
      m[i] = new Match((String) idScore[2 * i], ((Number) idScore[2 * i + 1]).floatValue());
    }
    return List.of(m);
  }

  static PartialTopK[] partials() {
    return new PartialTopK[] {
      PartialTopK.partial(
          "catalogue",
          "user-7",
          2,
          1_700_000_000_000L,
          3,
          matches("sku-2", 0.91f, "sku-9", 0.87f),
          JoinOutput.Cause.REGISTERED,
          null,
          10L),
      PartialTopK.partial(
          "catalogue",
          "user-7",
          0,
          5L,
          3,
          matches("a", 1f, "b", 1f, "c", -1e30f),
          JoinOutput.Cause.ITEM_UPSERTED,
          "b",
          11L),
      PartialTopK.partial(
          "catalogue", "user-7", 1, 5L, 1, List.of(), JoinOutput.Cause.ITEM_DELETED, "a", -1L),
      PartialTopK.partial(
          "ns", "req", 0, Long.MIN_VALUE, 1, matches(HUGE, 0f), JoinOutput.Cause.ONCE, null, 0L),
      PartialTopK.partial(
          "", "", Integer.MAX_VALUE, 0L, 1, List.of(), JoinOutput.Cause.ONCE, "", Long.MAX_VALUE),
      PartialTopK.cancelMark("catalogue", "user-7", 3, 5L, 12L),
      PartialTopK.cancelMark(HUGE, HUGE, 0, Long.MAX_VALUE, Long.MIN_VALUE),
    };
  }

  static StandingQuery[] standingQueries() {
    return new StandingQuery[] {
      StandingQuery.of(
          1L, new float[] {0.5f, -2f}, 3, Float.NaN, matches("sku-2", 0.91f, "sku-9", 0.87f)),
      StandingQuery.of(2L, new float[] {1f}, 2, 0.5f, matches("a", 1f, "b", 1f)),
      StandingQuery.of(
          Long.MIN_VALUE, new float[] {0f, -0f, 0f}, 1, Float.NEGATIVE_INFINITY, List.of()),
      StandingQuery.of(
          Long.MAX_VALUE, new float[] {Float.MAX_VALUE}, 1000, -0.0f, matches(HUGE, -1e30f)),
      new StandingQuery(0L, new float[0], 0, Float.NaN, new String[0], new float[0]),
    };
  }

  static MergeStore.Standing[] standings() {
    MergeStore.Standing waiting = new MergeStore.Standing(7L, 3, 4);
    waiting.partials[1] = matches("x", 2f, "y", 1f);
    waiting.partials[3] = List.of();

    MergeStore.Standing emitted = new MergeStore.Standing(8L, 2, 2);
    emitted.partials[0] = matches("a", 0.5f);
    emitted.partials[1] = matches("b", 0.75f, HUGE, 0.25f);
    emitted.lastEmitted = matches("b", 0.75f, "a", 0.5f);

    MergeStore.Standing cancelled = new MergeStore.Standing(Long.MAX_VALUE, 0, 3);
    cancelled.cancelled = true;
    cancelled.cancelMarks = 2;

    MergeStore.Standing emptyEmitted = new MergeStore.Standing(Long.MIN_VALUE, 1, 1);
    emptyEmitted.partials[0] = List.of();
    emptyEmitted.lastEmitted = List.of();

    return new MergeStore.Standing[] {
      waiting, emitted, cancelled, emptyEmitted, new MergeStore.Standing(0L, 0, 0)
    };
  }

  static MergeStore.Once[] onces() {
    MergeStore.Once fresh = new MergeStore.Once(5, 3);
    MergeStore.Once partly = new MergeStore.Once(2, 3);
    partly.partials[0] = matches("a", 1f, "b", 0.5f);
    partly.partials[2] = List.of();
    partly.received = 2;
    MergeStore.Once huge = new MergeStore.Once(Integer.MAX_VALUE, 1);
    huge.partials[0] = matches(HUGE, Float.MAX_VALUE);
    huge.received = 1;
    return new MergeStore.Once[] {fresh, partly, huge, new MergeStore.Once(0, 0)};
  }

  /**
   * Field by field: StandingQuery is a record over arrays (its equals compares them by identity)
   * and the merge state types have no equals, being mutable.
   */
  static DeeplyEqualsChecker deepEquality() {
    return new DeeplyEqualsChecker()
        .withCustomCheck(
            (a, b) -> a instanceof StandingQuery && b instanceof StandingQuery,
            (a, b, checker) -> render((StandingQuery) a).equals(render((StandingQuery) b)))
        .withCustomCheck(
            (a, b) -> a instanceof MergeStore.Standing && b instanceof MergeStore.Standing,
            (a, b, checker) ->
                render((MergeStore.Standing) a).equals(render((MergeStore.Standing) b)))
        .withCustomCheck(
            (a, b) -> a instanceof MergeStore.Once && b instanceof MergeStore.Once,
            (a, b, checker) -> render((MergeStore.Once) a).equals(render((MergeStore.Once) b)));
  }

  /**
   * Every field, in one string; floats by their bits, so -0.0 and 0.0 or two NaNs differ as the
   * serializers must keep them.
   */
  static String render(StandingQuery q) {
    if (q == null) {
      return "null";
    }
    StringBuilder s =
        new StringBuilder()
            .append("epoch=")
            .append(q.epoch())
            .append(" vector=")
            .append(java.util.Arrays.toString(q.vector()))
            .append(" k=")
            .append(q.k())
            .append(" threshold=")
            .append(Float.floatToRawIntBits(q.threshold()))
            .append(" [");
    for (int i = 0; i < q.ids().length; i++) {
      s.append(q.ids()[i]).append('=').append(Float.floatToRawIntBits(q.scores()[i])).append(' ');
    }
    return s.append(']').toString();
  }

  static String render(MergeStore.Standing st) {
    if (st == null) {
      return "null";
    }
    return "epoch="
        + st.epoch()
        + " k="
        + st.k()
        + " cancelled="
        + st.cancelled()
        + " marks="
        + st.cancelMarks()
        + " partials="
        + render(st.partials())
        + " last="
        + render(st.lastEmitted());
  }

  static String render(MergeStore.Once once) {
    if (once == null) {
      return "null";
    }
    return "k="
        + once.k()
        + " received="
        + once.received()
        + " partials="
        + render(once.partials());
  }

  private static String render(List<Match>[] partials) {
    return Arrays.toString(Arrays.stream(partials).map(JoinSamples::render).toArray());
  }

  private static String render(List<Match> list) {
    if (list == null) {
      return "null";
    }
    StringBuilder s = new StringBuilder("[");
    for (Match m : list) {
      s.append(Objects.requireNonNull(m.id()))
          .append('=')
          .append(Float.floatToRawIntBits(m.score()))
          .append(' ');
    }
    return s.append(']').toString();
  }
}
