package io.simjoin.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.connectors.Topics;
import io.simjoin.jobs.JobFlags;
import io.simjoin.jobs.JobOptions;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The files under {@code docker/} cannot drift from what {@code StandaloneClusterIT} runs: every
 * Flink key they set is a real {@link ConfigOption} of Flink or of {@link JobOptions} (under its
 * current name), each shared key has {@link DeploymentSpec}'s value, the job arguments are flags
 * the job's own parser accepts and mean what the test's mean, and the images, ports, jar path and
 * versions agree with the build. The YAML is read with the parser Flink reads its {@code
 * config.yaml} with (snakeyaml-engine).
 */
class DeploymentFilesTest {
  private static final Path DOCKER = Path.of("..", "docker");

  /** Read by the S3 file system plugin, which passes {@code s3.*} on: not ConfigOptions. */
  private static final Set<String> S3_PLUGIN_KEYS = Set.of("s3.endpoint", "s3.path.style.access");

  /** Current key → itself, deprecated or fallback key → the current key. */
  private static final Map<String, String> KNOWN = new HashMap<>();

  @BeforeAll
  static void collectConfigOptions() throws Exception {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.endsWith(".jar") && Path.of(entry).getFileName().toString().startsWith("flink-")) {
        try (JarFile jar = new JarFile(entry)) {
          jar.stream()
              .map(e -> e.getName())
              .filter(n -> n.startsWith("org/apache/flink/") && n.endsWith("Options.class"))
              .filter(n -> !n.contains("$"))
              .forEach(n -> addOptionsOf(n.substring(0, n.length() - 6).replace('/', '.')));
        }
      }
    }
    addOptionsOf(JobOptions.class.getName());
    assertThat(KNOWN).as("options found").containsKeys("state.backend.type", "simjoin.shards");
  }

  private static void addOptionsOf(String className) {
    Class<?> c;
    try {
      c = Class.forName(className, false, DeploymentFilesTest.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return; // a class of an optional dependency that is not here: its options are not used
    }
    for (Field f : c.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
        try {
          ConfigOption<?> o = (ConfigOption<?>) f.get(null);
          KNOWN.put(o.key(), o.key());
          for (FallbackKey k : o.fallbackKeys()) {
            KNOWN.putIfAbsent(k.getKey(), o.key());
          }
        } catch (IllegalAccessException | LinkageError e) {
          // not readable here: not a key a deployment sets
        }
      }
    }
  }

  private static Map<String, Object> yaml(String text) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m =
        (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
    return m;
  }

  private static Map<String, Object> file(String name) throws IOException {
    return yaml(Files.readString(DOCKER.resolve(name)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, String key) {
    return (Map<String, Object>) ((Map<String, Object>) o).get(key);
  }

  /**
   * Checks one environment's Flink configuration: real current keys only, the shared ones with the
   * shared values; returns its keys as strings.
   */
  private static Map<String, String> checkFlinkConfig(Map<String, Object> conf, String where) {
    Map<String, String> c = new LinkedHashMap<>();
    conf.forEach((k, v) -> c.put(k, String.valueOf(v)));
    Map<String, String> shared = DeploymentSpec.flinkConfig();
    for (Map.Entry<String, String> e : c.entrySet()) {
      String key = e.getKey();
      if (S3_PLUGIN_KEYS.contains(key)) {
        continue;
      }
      assertThat(KNOWN)
          .as("%s sets %s: not a Flink or simjoin ConfigOption", where, key)
          .containsKey(key);
      assertThat(KNOWN.get(key)).as("%s sets %s, a deprecated name", where, key).isEqualTo(key);
      if (shared.containsKey(key)) {
        assertThat(e.getValue()).as("%s: %s", where, key).isEqualTo(shared.get(key));
      } else {
        assertThat(DeploymentSpec.PER_ENVIRONMENT_KEYS)
            .as("%s sets %s, which the cluster test does not", where, key)
            .contains(key);
      }
    }
    return c;
  }

  /** What the job makes of its arguments, without the brokers (each environment has its own). */
  private static Map<String, String> jobMeaning(List<String> args) {
    Map<String, String> m =
        JobFlags.parse(args.toArray(String[]::new)).toConfiguration(new Configuration()).toMap();
    assertThat(m).containsKey(JobOptions.BOOTSTRAP_SERVERS.key());
    m.remove(JobOptions.BOOTSTRAP_SERVERS.key());
    return m;
  }

  private static final Map<String, String> TEST_JOB = jobMeaning(DeploymentSpec.jobArgs("x:1"));

  @Test
  void theSharedSettingsAreRealOptions() {
    checkFlinkConfig(new LinkedHashMap<>(DeploymentSpec.flinkConfig()), "DeploymentSpec");
    DeploymentSpec.PER_ENVIRONMENT_KEYS.forEach(k -> assertThat(KNOWN).containsEntry(k, k));
  }

  @Test
  void composeRunsTheClusterOfTheTest() throws IOException {
    Map<String, Object> services = file("docker-compose.yml");
    services = map(services, "services");
    for (String s : List.of("jobmanager", "taskmanager", "client")) {
      Map<String, Object> svc = map(services, s);
      assertThat(svc.get("image")).as(s).isEqualTo(DeploymentSpec.JOB_IMAGE);
      String props = (String) map(svc, "environment").get("FLINK_PROPERTIES");
      Map<String, String> conf = checkFlinkConfig(yaml(props), "docker-compose " + s);
      assertThat(conf).containsAllEntriesOf(DeploymentSpec.flinkConfig());
      assertThat(conf)
          .containsEntry("jobmanager.rpc.port", Integer.toString(DeploymentSpec.RPC_PORT))
          .containsEntry("rest.port", Integer.toString(DeploymentSpec.REST_PORT));
    }
    assertThat(map(services, "taskmanager").get("scale")).isEqualTo(DeploymentSpec.TASK_MANAGERS);
    assertThat(String.valueOf(map(services, "jobmanager").get("ports")))
        .contains(DeploymentSpec.REST_PORT + ":" + DeploymentSpec.REST_PORT);
    String kafkaImage = (String) map(services, "kafka").get("image");
    assertThat(kafkaImage).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
    String topics = String.valueOf(map(services, "kafka-topics").get("command"));
    Topics d = Topics.DEFAULT;
    for (String t : List.of(d.items(), d.queries(), d.updates(), d.alerts(), d.deadLetters())) {
      assertThat(topics).as("topic creation").contains(t);
    }
  }

  @Test
  void composeSubmitsTheJobAsTheTestDoes() throws IOException {
    Map<String, Object> client = map(map(file("docker-compose.yml"), "services"), "client");
    List<String> cmd = new ArrayList<>();
    ((List<?>) client.get("command")).forEach(a -> cmd.add(String.valueOf(a)));
    // the test's flink run: run -d -p N -c CLASS JAR ARGS
    List<String> submit =
        List.of(
            "flink",
            "run",
            "-d",
            "-p",
            Integer.toString(DeploymentSpec.PARALLELISM),
            "-c",
            DeploymentSpec.JOB_CLASS,
            DeploymentSpec.JOB_JAR_IN_IMAGE);
    assertThat(cmd.subList(0, submit.size())).isEqualTo(submit);
    List<String> args = cmd.subList(submit.size(), cmd.size());
    assertThat(jobMeaning(args)).isEqualTo(TEST_JOB);
    assertThat(args).containsSequence("--bootstrap-servers", "kafka:" + DeploymentSpec.KAFKA_PORT);
  }

  @Test
  void theFlinkDeploymentRunsTheJobOfTheTest() throws IOException {
    Map<String, Object> d = file("k8s/flinkdeployment.yaml");
    assertThat(d).containsEntry("apiVersion", "flink.apache.org/v1beta1");
    assertThat(d).containsEntry("kind", "FlinkDeployment");
    Map<String, Object> spec = map(d, "spec");
    assertThat(spec.get("image")).isEqualTo(DeploymentSpec.JOB_IMAGE);
    String[] v = EnvironmentInformation.getVersion().split("\\.");
    assertThat(spec.get("flinkVersion")).isEqualTo("v" + v[0] + "_" + v[1]);
    Map<String, String> conf = checkFlinkConfig(map(spec, "flinkConfiguration"), "FlinkDeployment");
    // the operator sizes the processes from resource.memory: the shared memory keys live there
    Map<String, String> expected = new LinkedHashMap<>(DeploymentSpec.flinkConfig());
    assertThat(map(map(spec, "jobManager"), "resource").get("memory"))
        .isEqualTo(expected.remove("jobmanager.memory.process.size"));
    assertThat(map(map(spec, "taskManager"), "resource").get("memory"))
        .isEqualTo(expected.remove("taskmanager.memory.process.size"));
    assertThat(conf).containsAllEntriesOf(expected);
    assertThat(conf.get("execution.checkpointing.dir")).startsWith("s3://");
    assertThat(conf.get("execution.checkpointing.savepoint-dir")).startsWith("s3://");
    Map<String, Object> job = map(spec, "job");
    assertThat(job.get("jarURI")).isEqualTo("local://" + DeploymentSpec.JOB_JAR_IN_IMAGE);
    assertThat(job.get("entryClass")).isEqualTo(DeploymentSpec.JOB_CLASS);
    assertThat(job.get("parallelism")).isEqualTo(DeploymentSpec.PARALLELISM);
    assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
    List<String> args = new ArrayList<>();
    ((List<?>) job.get("args")).forEach(a -> args.add(String.valueOf(a)));
    assertThat(jobMeaning(args)).isEqualTo(TEST_JOB);
  }

  @Test
  void theImageIsTheFlinkOfTheBuildWithTheJobJar() throws IOException {
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    assertThat(DeploymentSpec.FLINK_IMAGE)
        .isEqualTo("flink:" + EnvironmentInformation.getVersion() + "-java17");
    assertThat(dockerfile).contains("FROM " + DeploymentSpec.FLINK_IMAGE + " AS job");
    assertThat(dockerfile)
        .contains("/src/jobs/target/simjoin-job.jar " + DeploymentSpec.JOB_JAR_IN_IMAGE);
    assertThat(dockerfile).contains("-t " + DeploymentSpec.JOB_IMAGE + " ");
  }
}
