package io.simjoin.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/**
 * The few calls of Flink's REST API that the cluster tests watch a job with: its state, its
 * vertices' running tasks, its checkpoints, cancel.
 *
 * <pre>{@code
 * FlinkRest rest = new FlinkRest("http://127.0.0.1:8081");
 * rest.awaitRunning(jobId, Duration.ofMinutes(1));
 * long completed = rest.checkpoints(jobId).path("counts").path("completed").asLong();
 * }</pre>
 */
public final class FlinkRest {
  private static final Set<String> TERMINAL = Set.of("FINISHED", "CANCELED", "FAILED");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public FlinkRest(String base) {
    this.base = base;
  }

  /** GET, or null if the JobManager does not answer (yet) or answers with an error. */
  public JsonNode tryGet(String path) throws InterruptedException {
    try {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + path)).GET());
      return r.statusCode() / 100 == 2 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** GET, failing with the status and body on an error. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    if (r.statusCode() / 100 != 2) {
      throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> send(HttpRequest.Builder b)
      throws IOException, InterruptedException {
    return http.send(
        b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public String jobState(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId).path("state").asText();
  }

  /** {@code /jobs/<id>/checkpoints}: counts, the latest completed and the restored checkpoint. */
  public JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/checkpoints");
  }

  /** The parallelism of every vertex of the job. */
  public Set<Integer> parallelisms(String jobId) throws IOException, InterruptedException {
    java.util.TreeSet<Integer> p = new java.util.TreeSet<>();
    get("/jobs/" + jobId).path("vertices").forEach(v -> p.add(v.path("parallelism").asInt()));
    return p;
  }

  /**
   * Waits until the job is RUNNING with every task of every vertex running.
   *
   * @throws IllegalStateException if the job ends first (with its root exception) or time is up
   */
  public void awaitRunning(String jobId, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!allRunning(jobId)) {
      failIfPast(jobId, deadline, "RUNNING with all tasks");
      Thread.sleep(100);
    }
  }

  /** Whether the job is RUNNING with every task of every vertex running. */
  public boolean allRunning(String jobId) throws IOException, InterruptedException {
    JsonNode job = get("/jobs/" + jobId);
    if (!"RUNNING".equals(job.path("state").asText())) {
      return false;
    }
    for (JsonNode v : job.path("vertices")) {
      if (v.path("tasks").path("RUNNING").asInt() != v.path("parallelism").asInt()) {
        return false;
      }
    }
    return true;
  }

  /** Waits until the job is in {@code state} (a terminal one). */
  public void awaitJobState(String jobId, String state, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String now;
    while (!(now = jobState(jobId)).equals(state)) {
      if (TERMINAL.contains(now)) {
        throw new IllegalStateException(
            "job " + jobId + " ended " + now + ", not " + state + ": " + rootException(jobId));
      }
      failIfPast(jobId, deadline, state);
      Thread.sleep(200);
    }
  }

  private void failIfPast(String jobId, long deadline, String what) throws Exception {
    String now = jobState(jobId);
    if (TERMINAL.contains(now) || System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "job " + jobId + " is " + now + ", not " + what + ": " + rootException(jobId));
    }
  }

  /** The job's latest root exception, or "none". */
  public String rootException(String jobId) throws InterruptedException {
    JsonNode ex = tryGet("/jobs/" + jobId + "/exceptions");
    if (ex == null) {
      return "(no exception history)";
    }
    JsonNode entries = ex.path("exceptionHistory").path("entries");
    if (entries.isEmpty()) {
      return "none";
    }
    String trace = entries.get(0).path("stacktrace").asText();
    return trace.lines().limit(12).reduce((a, b) -> a + "\n" + b).orElse(trace);
  }

  /** Cancels the job and waits until it is CANCELED. */
  public void cancel(String jobId, Duration timeout) throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    if (r.statusCode() / 100 != 2) {
      throw new IOException("cancel " + jobId + ": " + r.statusCode() + " " + r.body());
    }
    awaitJobState(jobId, "CANCELED", timeout);
  }
}
