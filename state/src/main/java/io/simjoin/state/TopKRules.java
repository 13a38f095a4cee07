package io.simjoin.state;

import io.simjoin.state.kernel.DotKernel;

/** Rules for the exact top-k of a query over the points: the bar is the current k-th score. */
final class TopKRules extends SearchRules {
  final TopKCollector topK = new TopKCollector();

  TopKRules(DotKernel kernel, int dim, TreeCounters counters) {
    super(kernel, dim, counters);
  }

  void start(float[] query, double queryNorm, int k) {
    super.start(query, queryNorm);
    topK.reset(k);
  }

  @Override
  double bound(float dotWithCentre, float radius, float maxNorm, float minBar) {
    return scoreBound(dotWithCentre, radius, maxNorm);
  }

  @Override
  boolean prune(double bound) {
    // Strict: a point scoring exactly the k-th score can still enter on a smaller id.
    return bound < topK.bar();
  }

  @Override
  void scan(Bucket b) {
    float bar = topK.bar();
    int m = inPlay(b, bar);
    if (m == 0) {
      return;
    }
    String[] ids = b.ids;
    if (topK.isFull() && screen(b)) {
      float[] ub = partialBounds(b, m);
      int survived = 0;
      for (int i = 0; i < m; i++) {
        if (ub[i] >= bar) {
          survived++;
          float s = score(b, i);
          if (s >= bar && topK.offer(s, ids[i])) {
            bar = topK.bar();
          }
        }
      }
      screened(m, survived);
      return;
    }
    float[] s = scoreAll(b, m);
    for (int i = 0; i < m; i++) {
      // >= so that a tie with the k-th score still gets its id compared
      if (s[i] >= bar && topK.offer(s[i], ids[i])) {
        bar = topK.bar();
      }
    }
  }
}
