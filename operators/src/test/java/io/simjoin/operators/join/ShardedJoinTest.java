package io.simjoin.operators.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.simjoin.operators.JoinOracle;
import io.simjoin.state.CoverTree;
import io.simjoin.state.HeapNodeStore;
import io.simjoin.state.Match;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * S shards of {@link ShardJoinCore} and a {@link TopKMergeCore}, wired as the Flink topology wires
 * them but without Flink: items go to shard hash(id) mod S, queries to every shard, and each
 * shard's messages reach the merge in order while shards interleave at random (as Flink's channels
 * do). Every merged update must be the exact top-k over the items the shards had when they sent the
 * partials merged; sequence numbers grow by one; at the end every standing query equals the oracle
 * and nothing is left after deleting and cancelling everything.
 */
class ShardedJoinTest {

  private record Message(
      int shard,
      String queryId,
      long epoch,
      int k,
      List<Match> matches,
      JoinOutput.Cause cause,
      boolean cancelMark,
      Map<String, float[]> itemsAtSend) {}

  @ParameterizedTest(name = "seed={0} shards={1}")
  @CsvSource({"1, 1", "2, 3", "3, 4"})
  void mergedUpdatesAreExactForWhatTheShardsHad(long seed, int shards) {
    SplittableRandom r = new SplittableRandom(seed);
    int d = 6;
    ShardJoinCore[] join = new ShardJoinCore[shards];
    List<Map<String, float[]>> shardItems = new ArrayList<>();
    List<ArrayDeque<Message>> channels = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      join[s] =
          new ShardJoinCore(
              CoverTree.builder(d).store(new HeapNodeStore()).bucketCapacity(8).fanout(4).build(),
              CoverTree.builder(d)
                  .store(new HeapNodeStore())
                  .bars(true)
                  .bucketCapacity(8)
                  .fanout(4)
                  .build(),
              new HeapShardState());
      shardItems.add(new HashMap<>());
      channels.add(new ArrayDeque<>());
    }
    TopKMergeCore merge = new TopKMergeCore(shards);
    Map<String, HeapMergeStore> mergeState = new HashMap<>();
    // what the merge has seen of each shard, per query: the item set behind its latest partial
    // per registration ("id@epoch"), per shard: the items behind the latest partial delivered
    Map<String, Map<Integer, Map<String, float[]>>> seenBehind = new HashMap<>();
    Map<String, Long> lastSeq = new HashMap<>();
    Map<String, float[]> queryVec = new HashMap<>();
    // the vector of every registration, by "id@epoch": messages of old registrations are in flight
    Map<String, float[]> epochVec = new HashMap<>();
    Map<String, Integer> queryK = new HashMap<>();
    Map<String, List<Match>> lastMerged = new HashMap<>();
    Map<String, float[]> live = new HashMap<>();
    int nextItem = 0;
    long clock = 0;

    for (int step = 0; step < 1200; step++) {
      clock++;
      int op = r.nextInt(100);
      if (op < 50 || live.isEmpty()) {
        String id = "i" + nextItem++;
        float[] v = JoinOracle.vector(r, d);
        int s = Math.floorMod(id.hashCode(), shards);
        shardItems.get(s).put(id, v);
        live.put(id, v);
        join[s].upsertItem(id, v, out(s, channels, shardItems));
      } else if (op < 70) {
        List<String> ids = new ArrayList<>(live.keySet());
        ids.sort(null);
        String id = ids.get(r.nextInt(ids.size()));
        int s = Math.floorMod(id.hashCode(), shards);
        shardItems.get(s).remove(id);
        live.remove(id);
        assertThat(join[s].deleteItem(id, out(s, channels, shardItems))).isTrue();
      } else if (op < 82) {
        String qid = "q" + r.nextInt(12); // re-registers happen
        float[] v = JoinOracle.vector(r, d);
        int k = 1 + r.nextInt(5);
        queryVec.put(qid, v);
        queryK.put(qid, k);
        epochVec.put(qid + "@" + clock, v);
        for (int s = 0; s < shards; s++) {
          join[s].register(qid, clock, v, k, Float.NaN, out(s, channels, shardItems));
        }
      } else if (op < 87 && queryVec.keySet().stream().anyMatch(q -> !q.startsWith("once"))) {
        List<String> qs = new ArrayList<>(queryVec.keySet());
        qs.removeIf(q -> q.startsWith("once"));
        qs.sort(null);
        String qid = qs.get(r.nextInt(qs.size()));
        for (int s = 0; s < shards; s++) {
          long epoch = join[s].epochOf(qid);
          assertThat(join[s].cancel(qid)).isTrue();
          channels.get(s).add(new Message(s, qid, epoch, 0, List.of(), null, true, null));
        }
        queryVec.remove(qid);
        queryK.remove(qid);
      } else {
        float[] v = JoinOracle.vector(r, d);
        int k = 1 + r.nextInt(5);
        String qid = "once" + step;
        epochVec.put(qid + "@" + clock, v);
        queryVec.put(qid, v);
        queryK.put(qid, k);
        for (int s = 0; s < shards; s++) {
          join[s].once(qid, clock, v, k, Float.NaN, out(s, channels, shardItems));
        }
      }
      // deliver a random number of messages, FIFO per shard
      int deliveries = r.nextInt(2 * shards + 2);
      for (int i = 0; i < deliveries; i++) {
        deliver(r, channels, merge, mergeState, seenBehind, lastSeq, epochVec, lastMerged);
      }
    }
    while (channels.stream().anyMatch(c -> !c.isEmpty())) {
      deliver(r, channels, merge, mergeState, seenBehind, lastSeq, epochVec, lastMerged);
    }
    // quiescent: every standing query's last merged update is the exact global top-k
    for (String qid : queryVec.keySet()) {
      if (!qid.startsWith("once")) {
        JoinOracle.assertTopKMatches(
            qid, queryVec.get(qid), queryK.get(qid), lastMerged.get(qid), live);
      }
    }
    // drain everything: no state is left anywhere
    for (String id : new ArrayList<>(live.keySet())) {
      int s = Math.floorMod(id.hashCode(), shards);
      join[s].deleteItem(
          id,
          out(
              s,
              new ArrayList<>(
                  List.of(
                      new ArrayDeque<>(),
                      new ArrayDeque<>(),
                      new ArrayDeque<>(),
                      new ArrayDeque<>())),
              shardItems));
    }
    for (String qid : new ArrayList<>(queryVec.keySet())) {
      if (qid.startsWith("once")) {
        continue;
      }
      for (int s = 0; s < shards; s++) {
        long epoch = join[s].epochOf(qid);
        if (join[s].cancel(qid)) {
          merge.onCancelled(mergeState.computeIfAbsent(qid, x -> new HeapMergeStore()), s, epoch);
        }
      }
    }
    for (Map.Entry<String, HeapMergeStore> e : mergeState.entrySet()) {
      assertThat(e.getValue().isEmpty()).as("merge state of %s", e.getKey()).isTrue();
    }
  }

  private static JoinOutput out(
      int s, List<ArrayDeque<Message>> channels, List<Map<String, float[]>> shardItems) {
    return new JoinOutput() {
      @Override
      public void partial(
          String queryId, long epoch, int k, List<Match> matches, Cause cause, String itemId) {
        channels
            .get(s)
            .add(
                new Message(
                    s, queryId, epoch, k, matches, cause, false, new HashMap<>(shardItems.get(s))));
      }

      @Override
      public void alert(String queryId, String itemId, float score, boolean retraction) {}
    };
  }

  private static void deliver(
      SplittableRandom r,
      List<ArrayDeque<Message>> channels,
      TopKMergeCore merge,
      Map<String, HeapMergeStore> mergeState,
      Map<String, Map<Integer, Map<String, float[]>>> seenBehind,
      Map<String, Long> lastSeq,
      Map<String, float[]> epochVec,
      Map<String, List<Match>> lastMerged) {
    List<Integer> nonEmpty = new ArrayList<>();
    for (int s = 0; s < channels.size(); s++) {
      if (!channels.get(s).isEmpty()) {
        nonEmpty.add(s);
      }
    }
    if (nonEmpty.isEmpty()) {
      return;
    }
    Message m = channels.get(nonEmpty.get(r.nextInt(nonEmpty.size()))).poll();
    HeapMergeStore store = mergeState.computeIfAbsent(m.queryId(), x -> new HeapMergeStore());
    TopKMergeCore.Merged u;
    if (m.cancelMark()) {
      u = merge.onCancelled(store, m.shard(), m.epoch());
      if (u != null) {
        assertThat(u.matches()).isEmpty();
        assertThat(u.cause()).isEqualTo(TopKMergeCore.Cause.CANCELLED);
      }
    } else {
      int k = m.k();
      String registration = m.queryId() + "@" + m.epoch();
      seenBehind
          .computeIfAbsent(registration, x -> new HashMap<>())
          .put(m.shard(), m.itemsAtSend());
      u = merge.onPartial(store, m.shard(), m.epoch(), k, m.matches(), m.cause(), null);
      if (u != null) {
        // exact over the items behind the partials merged: the latest of each shard, this epoch
        Map<String, float[]> union = new HashMap<>();
        seenBehind.get(registration).values().forEach(union::putAll);
        JoinOracle.assertTopKMatches(
            m.queryId(), epochVec.get(registration), k, u.matches(), union);
        if (m.cause() != JoinOutput.Cause.ONCE) {
          lastMerged.put(m.queryId(), u.matches());
        }
      }
    }
    if (u != null) {
      // seq grows by one per update; it starts again only after a CANCELLED update released the
      // query
      long prev = lastSeq.getOrDefault(m.queryId(), 0L);
      boolean released = prev < 0;
      if (u.seq() != Math.abs(prev) + 1 && !(released && u.seq() == 1)) {
        fail("seq of " + m.queryId() + " went from " + prev + " to " + u.seq());
      }
      boolean cleared = u.cause() == TopKMergeCore.Cause.CANCELLED && store.isEmpty();
      lastSeq.put(m.queryId(), cleared ? -u.seq() : u.seq());
    } else if (m.cancelMark() && store.isEmpty()) {
      lastSeq.put(m.queryId(), -Math.abs(lastSeq.getOrDefault(m.queryId(), 0L)));
    }
  }
}
