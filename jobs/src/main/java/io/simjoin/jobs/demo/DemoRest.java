package io.simjoin.jobs.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What the demo reads from the Flink web UI's REST API, the same numbers a user sees in the
 * browser: checkpoint counts and durations ({@code /jobs/<id>/checkpoints}) and the join's gauges
 * {@code items} and {@code standingQueries}, summed over the ShardJoin subtasks ({@code
 * /jobs/<id>/vertices/<vertex>/subtasks/metrics?agg=sum}).
 *
 * <pre>{@code
 * DemoRest rest = new DemoRest("http://127.0.0.1:8081", jobId);
 * DemoRest.Checkpoints c = rest.checkpoints();
 * OptionalLong items = rest.shardJoinGauge("items");
 * }</pre>
 *
 * <p>Every call is bounded by a short timeout and answers "unknown" rather than failing: the
 * progress must go on while the UI starts or the job restarts.
 */
final class DemoRest {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Completed and failed checkpoints, and the latest completed one's duration (-1: none yet). */
  record Checkpoints(
      long completed, long failed, long lastDurationMs, long lastSizeBytes, String lastFailure) {
    static final Checkpoints UNKNOWN = new Checkpoints(-1, -1, -1, -1, null);
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
  private final String base;
  private final String jobId;
  private volatile String shardJoinVertex;
  private volatile List<String> metricIds;

  DemoRest(String base, String jobId) {
    this.base = base;
    this.jobId = jobId;
  }

  Checkpoints checkpoints() {
    JsonNode n = get("/jobs/" + jobId + "/checkpoints");
    if (n == null) {
      return Checkpoints.UNKNOWN;
    }
    JsonNode latest = n.path("latest").path("completed");
    JsonNode failed = n.path("latest").path("failed");
    return new Checkpoints(
        n.path("counts").path("completed").asLong(-1),
        n.path("counts").path("failed").asLong(-1),
        latest.isObject() ? latest.path("end_to_end_duration").asLong(-1) : -1,
        latest.isObject() ? latest.path("checkpointed_size").asLong(-1) : -1,
        failed.isObject() ? failed.path("failure_message").asText(null) : null);
  }

  /**
   * A gauge of the ShardJoin operator summed over its subtasks ({@code items}: the items held;
   * {@code standingQueries}: the standing queries held, once per shard).
   */
  OptionalLong shardJoinGauge(String name) {
    String vertex = shardJoinVertex();
    if (vertex == null) {
      return OptionalLong.empty();
    }
    String path = "/jobs/" + jobId + "/vertices/" + vertex + "/subtasks/metrics";
    if (metricIds == null) {
      JsonNode all = get(path);
      if (all == null || !all.isArray() || all.isEmpty()) {
        return OptionalLong.empty();
      }
      List<String> ids = new ArrayList<>();
      all.forEach(m -> ids.add(m.path("id").asText()));
      metricIds = ids;
    }
    // Metric ids carry the operator's name: find ours by its suffix, whatever Flink calls it.
    String id = metricIds.stream().filter(m -> m.endsWith("." + name)).findFirst().orElse(null);
    if (id == null) {
      metricIds = null; // registered later than the first listing: list again next time
      return OptionalLong.empty();
    }
    JsonNode got = get(path + "?agg=sum&get=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
    if (got == null || !got.isArray() || got.isEmpty() || !got.get(0).has("sum")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.round(got.get(0).path("sum").asDouble()));
  }

  /** Whether the job and every one of its tasks are running (false while it deploys). */
  boolean allRunning() {
    JsonNode job = get("/jobs/" + jobId);
    if (job == null || !"RUNNING".equals(job.path("state").asText())) {
      return false;
    }
    for (JsonNode v : job.path("vertices")) {
      if (!"RUNNING".equals(v.path("status").asText())) {
        return false;
      }
    }
    return job.path("vertices").size() > 0;
  }

  private String shardJoinVertex() {
    if (shardJoinVertex == null) {
      JsonNode job = get("/jobs/" + jobId);
      if (job != null) {
        for (JsonNode v : job.path("vertices")) {
          if (v.path("name").asText().contains("ShardJoin")) {
            shardJoinVertex = v.path("id").asText();
          }
        }
      }
    }
    return shardJoinVertex;
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
