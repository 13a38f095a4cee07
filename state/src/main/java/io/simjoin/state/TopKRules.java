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
    int n = b.size;
    float bar = topK.bar();
    int passing = 0;
    for (int i = 0; i < n; i++) {
      if (pointBound(b.norms[i]) >= bar) {
        passing++;
      }
    }
    if (passing * 4 >= n * 3) {
      // Most points survive the norm bound: one contiguous kernel pass beats point-by-point calls.
      float[] s = scoreAll(b);
      for (int i = 0; i < n; i++) {
        topK.offer(s[i], b.ids[i]);
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      if (pointBound(b.norms[i]) >= topK.bar()) {
        topK.offer(score(b, i), b.ids[i]);
      }
    }
  }
}
