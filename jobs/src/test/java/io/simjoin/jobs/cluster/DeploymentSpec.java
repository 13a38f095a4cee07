package io.simjoin.jobs.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every simjoin deployment shares: the standalone cluster of {@code StandaloneClusterIT}, the
 * {@code docker/} compose file and the Kubernetes {@code FlinkDeployment}. The cluster test runs
 * with exactly these settings and {@code DeploymentFilesTest} checks that the files under {@code
 * docker/} say the same, so what was measured here is what the files deploy.
 *
 * <pre>{@code
 * Map<String, String> conf = new LinkedHashMap<>(DeploymentSpec.flinkConfig());
 * conf.put("execution.checkpointing.dir", "file:///tmp/checkpoints");
 * List<String> args = DeploymentSpec.jobArgs("127.0.0.1:9092");
 * }</pre>
 */
public final class DeploymentSpec {
  private DeploymentSpec() {}

  /** The official Flink image the job image builds on: the root pom's {@code flink.version}. */
  public static final String FLINK_IMAGE = "flink:2.2.1-java17";

  /** The image {@code docker/Dockerfile} builds: Flink with the job jar in {@code usrlib}. */
  public static final String JOB_IMAGE = "simjoin-flink:0.1.0";

  /** Where the image holds the job jar ({@code jobs/target/simjoin-job.jar}). */
  public static final String JOB_JAR_IN_IMAGE = "/opt/flink/usrlib/simjoin-job.jar";

  public static final String JOB_CLASS = "io.simjoin.jobs.SimilarityJoinJob";

  /** TaskManagers of the session cluster (compose and the test); the test also replaces one. */
  public static final int TASK_MANAGERS = 2;

  /** The job's parallelism at submission, and after the savepoint rescale. */
  public static final int PARALLELISM = 2;

  public static final int RESCALED_PARALLELISM = 3;

  /** Item shards: fixed for the life of a job, so the rescale keeps them. */
  public static final int SHARDS = 4;

  /** Ports of the compose file (the test takes free ones). */
  public static final int REST_PORT = 8081;

  public static final int RPC_PORT = 6123;
  public static final int KAFKA_PORT = 9092;

  /**
   * Keys the deployments set differently on purpose: where the processes listen and where state
   * goes. Every other key a deployment file sets must be one of {@link #flinkConfig()} with its
   * value.
   */
  public static final Set<String> PER_ENVIRONMENT_KEYS =
      Set.of(
          "jobmanager.rpc.address",
          "jobmanager.rpc.port",
          "jobmanager.bind-host",
          "taskmanager.host",
          "taskmanager.bind-host",
          "rest.address",
          "rest.bind-address",
          "rest.port",
          "execution.checkpointing.dir",
          "execution.checkpointing.savepoint-dir",
          "high-availability.type",
          "high-availability.storageDir");

  /**
   * The Flink configuration every deployment sets with these values: RocksDB with incremental
   * checkpoints retained on cancellation (a job can be restarted from its last one), a bounded
   * fixed-delay restart, slots spread over the TaskManagers, and heartbeats that notice a dead
   * TaskManager within seconds rather than Flink's default 50 s.
   */
  public static Map<String, String> flinkConfig() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("state.backend.type", "rocksdb");
    c.put("execution.checkpointing.incremental", "true");
    c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    c.put("execution.checkpointing.num-retained", "3");
    c.put("taskmanager.numberOfTaskSlots", "2");
    c.put("taskmanager.load-balance.mode", "SLOTS");
    c.put("jobmanager.memory.process.size", "1024m");
    c.put("taskmanager.memory.process.size", "1536m");
    c.put("restart-strategy.type", "fixed-delay");
    c.put("restart-strategy.fixed-delay.attempts", "20");
    c.put("restart-strategy.fixed-delay.delay", "1 s");
    c.put("heartbeat.interval", "2000");
    c.put("heartbeat.timeout", "20000");
    return c;
  }

  /**
   * The job's arguments (after the jar) on every deployment, the brokers being the one difference;
   * the test adds its own topic names and group to them.
   */
  public static List<String> jobArgs(String bootstrapServers) {
    List<String> a = new ArrayList<>();
    a.add("--bootstrap-servers");
    a.add(bootstrapServers);
    a.addAll(List.of("--format", "avro", "--shards", Integer.toString(SHARDS)));
    a.addAll(List.of("--checkpoint-interval", "2s"));
    return a;
  }
}
