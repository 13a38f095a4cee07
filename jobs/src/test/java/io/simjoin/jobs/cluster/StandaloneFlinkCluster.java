package io.simjoin.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.simjoin.jobs.LocalKafka;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Flink session cluster from the Maven jars alone, the way Flink's scripts start one:
 * a JobManager ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code
 * TaskManagerRunner}) as separate JVMs on 127.0.0.1, their memory flags from {@code BashJavaUtils},
 * jobs submitted and stopped with {@code flink run} / {@code flink stop} ({@code CliFrontend} in a
 * client JVM) and watched over the REST API. Every JVM it starts runs under {@link ParentWatch}, is
 * stopped by {@link #close()} and by a shutdown hook, and exits by itself if this JVM dies.
 *
 * <pre>{@code
 * Map<String, String> conf = new LinkedHashMap<>(DeploymentSpec.flinkConfig());
 * conf.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
 * try (StandaloneFlinkCluster flink = StandaloneFlinkCluster.start(dir, conf, 2)) {
 *   String job = flink.run(jar, "io.simjoin.jobs.SimilarityJoinJob", List.of("-p", "2"), args);
 *   flink.taskManagers().get(0).kill();          // kill -9
 *   flink.startTaskManager();
 * }
 * }</pre>
 *
 * <p>Its classpath is the test JVM's jars without simjoin's own and without the jars the job jar
 * brings (the Kafka connector and client), so the job runs from its jar as it does on a cluster.
 * Each JVM logs to {@code <dir>/log/<name>.log}; a failure to start says which one and shows the
 * end of its log.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(180);
  private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
  private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

  /** A TaskManager's JVM and the resource id it registers with. */
  public record TaskManager(String id, Process process) {
    /** {@code kill -9}: no shutdown, no goodbye to the JobManager. */
    public void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private final Path dir;
  private final Path conf;
  private final Path logs;
  private final String classpath;
  private final int restPort;
  private final FlinkRest rest;
  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private final List<TaskManager> taskManagers = new CopyOnWriteArrayList<>();
  private final Thread hook = new Thread(this::stopAll, "simjoin-flink-cluster-stop");
  private List<String> tmJvmFlags;
  private List<String> tmDynamic;
  private int launched;

  private StandaloneFlinkCluster(Path dir, int restPort) throws IOException {
    this.dir = dir;
    this.conf = Files.createDirectories(dir.resolve("conf"));
    this.logs = Files.createDirectories(dir.resolve("log"));
    this.classpath = clusterClasspath(Files.createDirectories(dir.resolve("watch")));
    this.restPort = restPort;
    this.rest = new FlinkRest("http://127.0.0.1:" + restPort);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Writes {@code <dir>/conf}, starts the JobManager and {@code taskManagers} TaskManagers on
   * 127.0.0.1 (free ports) and waits until all have registered.
   *
   * @param flinkConfig keys for {@code config.yaml} on top of the addresses and ports
   * @throws IllegalStateException naming the process that did not come up, with its log's end
   */
  public static StandaloneFlinkCluster start(
      Path dir, Map<String, String> flinkConfig, int taskManagers) throws Exception {
    int restPort = LocalKafka.freePort();
    StandaloneFlinkCluster c = new StandaloneFlinkCluster(dir, restPort);
    try {
      Map<String, String> yaml = new LinkedHashMap<>();
      yaml.put("jobmanager.rpc.address", "127.0.0.1");
      yaml.put("jobmanager.rpc.port", Integer.toString(LocalKafka.freePort()));
      yaml.put("jobmanager.bind-host", "127.0.0.1");
      yaml.put("taskmanager.host", "127.0.0.1");
      yaml.put("taskmanager.bind-host", "127.0.0.1");
      yaml.put("rest.address", "127.0.0.1");
      yaml.put("rest.bind-address", "127.0.0.1");
      yaml.put("rest.port", Integer.toString(restPort));
      yaml.putAll(flinkConfig);
      c.writeConf(yaml);
      c.startJobManager();
      c.tmJvmFlags = new ArrayList<>();
      c.tmDynamic = new ArrayList<>();
      c.resourceParams("GET_TM_RESOURCE_PARAMS", c.tmJvmFlags, c.tmDynamic);
      for (int i = 0; i < taskManagers; i++) {
        c.startTaskManager();
      }
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  /** The REST API of the JobManager. */
  public FlinkRest rest() {
    return rest;
  }

  public int restPort() {
    return restPort;
  }

  /** The TaskManagers started so far, killed ones included, in start order. */
  public List<TaskManager> taskManagers() {
    return List.copyOf(taskManagers);
  }

  /** Every JVM this cluster started (cluster processes and clients), for checks that they ended. */
  public List<ProcessHandle> processes() {
    return processes.stream().map(Process::toHandle).toList();
  }

  private void writeConf(Map<String, String> yaml) throws IOException {
    StringBuilder sb = new StringBuilder("# written by StandaloneFlinkCluster\n");
    // single-quoted: durations and URIs stay strings, Flink parses them by the option's type
    yaml.forEach((k, v) -> sb.append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
    Files.writeString(conf.resolve("config.yaml"), sb.toString());
    Files.writeString(
        conf.resolve("log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = MainAppender",
            "appender.main.name = MainAppender",
            "appender.main.type = File",
            "appender.main.append = true",
            "appender.main.fileName = ${sys:log.file}",
            "appender.main.layout.type = PatternLayout",
            "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} [%t] - %m%n",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            ""));
  }

  private void startJobManager() throws Exception {
    List<String> jvm = new ArrayList<>();
    List<String> dynamic = new ArrayList<>();
    resourceParams("GET_JM_RESOURCE_PARAMS", jvm, dynamic);
    List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
    args.addAll(dynamic);
    Process jm =
        launch(
            "jobmanager",
            jvm,
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
            args);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (rest.tryGet("/overview") == null) {
      if (!jm.isAlive() || System.nanoTime() > deadline) {
        throw notUp("the JobManager", jm, "jobmanager");
      }
      Thread.sleep(250);
    }
  }

  /**
   * Starts one more TaskManager and waits until it has registered with the JobManager.
   *
   * @throws IllegalStateException if it exits or does not register in time, with its log's end
   */
  public TaskManager startTaskManager() throws Exception {
    String id = "tm-" + (taskManagers.size() + 1);
    List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
    args.addAll(tmDynamic);
    args.addAll(List.of("-D", "taskmanager.resource-id=" + id));
    Process p =
        launch(id, tmJvmFlags, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", args);
    TaskManager tm = new TaskManager(id, p);
    taskManagers.add(tm);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!registeredTaskManagers().contains(id)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw notUp("TaskManager " + id, p, id);
      }
      Thread.sleep(250);
    }
    return tm;
  }

  /** The resource ids of the TaskManagers the JobManager knows now. */
  public List<String> registeredTaskManagers() throws IOException, InterruptedException {
    JsonNode tms = rest.tryGet("/taskmanagers");
    List<String> ids = new ArrayList<>();
    if (tms != null) {
      tms.path("taskmanagers").forEach(t -> ids.add(t.path("id").asText()));
    }
    return ids;
  }

  /**
   * {@code flink run -d [options] -c mainClass jar args}: submits a job and returns its id.
   *
   * @param options {@code flink run} options such as {@code -p 3} or {@code -s <savepoint>}
   */
  public String run(Path jar, String mainClass, List<String> options, List<String> args)
      throws Exception {
    List<String> cli = new ArrayList<>(List.of("run", "-d"));
    cli.addAll(options);
    cli.addAll(List.of("-c", mainClass, jar.toString()));
    cli.addAll(args);
    return find(JOB_ID, client(cli), "a job id");
  }

  /**
   * {@code flink stop --savepointPath dir jobId}: stops the job with a savepoint and returns the
   * savepoint's path once the job has finished.
   */
  public String stopWithSavepoint(String jobId, Path savepoints) throws Exception {
    String out = client(List.of("stop", "--savepointPath", savepoints.toUri().toString(), jobId));
    String path = find(SAVEPOINT, out, "a savepoint path");
    rest.awaitJobState(jobId, "FINISHED", READY_TIMEOUT);
    return path;
  }

  /** Runs {@code CliFrontend} in a client JVM, as {@code bin/flink} does; returns its output. */
  private String client(List<String> cliArgs) throws Exception {
    String name = "client-" + (++launched);
    Process p =
        launch(
            name,
            List.of("-Xmx512m"),
            "org.apache.flink.client.cli.CliFrontend",
            cliArgs,
            Map.of("FLINK_CONF_DIR", conf.toString()));
    Path out = logs.resolve(name + ".out");
    if (!p.waitFor(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "flink " + cliArgs.get(0) + " did not end within " + CLIENT_TIMEOUT + ": " + tail(out));
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "flink " + cliArgs + " exited with " + p.exitValue() + ":\n" + tail(out));
    }
    return text;
  }

  private static String find(Pattern pattern, String text, String what) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no " + what + " in the client's output:\n" + text);
    }
    return m.group(1);
  }

  /** The two result lines of {@code BashJavaUtils}: JVM flags, then {@code -D} properties. */
  private void resourceParams(String command, List<String> jvm, List<String> dynamic)
      throws Exception {
    String name = command.toLowerCase(java.util.Locale.ROOT);
    Process p =
        launch(
            name,
            List.of("-Xmx256m"),
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            List.of(command, "--configDir", conf.toString()));
    Path out = logs.resolve(name + ".out");
    if (!p.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("BashJavaUtils " + command + " failed: " + tail(out));
    }
    List<String> results = new ArrayList<>();
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).strip());
      }
    }
    if (results.size() < 2) {
      throw new IllegalStateException("BashJavaUtils " + command + " said: " + tail(out));
    }
    jvm.addAll(List.of(results.get(0).split("\\s+")));
    dynamic.addAll(List.of(results.get(1).split("\\s+")));
  }

  private Process launch(String name, List<String> jvm, String mainClass, List<String> args)
      throws IOException {
    return launch(name, jvm, mainClass, args, Map.of());
  }

  private Process launch(
      String name, List<String> jvm, String mainClass, List<String> args, Map<String, String> env)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.add("-XX:+UseParallelGC");
    // what Flink's scripts pass on Java 17: flink run and the runtime reflect into java.util
    cmd.add("--add-opens=java.base/java.util=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
    cmd.add("-Dlog.file=" + logs.resolve(name + ".log"));
    cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(ParentWatch.class.getName());
    cmd.add(mainClass);
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve(name + ".out").toFile());
    pb.environment().putAll(env);
    // stdin stays a pipe from this JVM: ParentWatch exits when it closes
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private IllegalStateException notUp(String what, Process p, String name) {
    String state = p.isAlive() ? "did not come up within " + READY_TIMEOUT : "exited";
    if (!p.isAlive()) {
      state += " with " + p.exitValue();
    }
    return new IllegalStateException(
        what
            + " "
            + state
            + "; end of "
            + logs.resolve(name + ".log")
            + ":\n"
            + tail(logs.resolve(name + ".log"))
            + "\nend of its stdout/stderr:\n"
            + tail(logs.resolve(name + ".out")));
  }

  /** The last lines of a log, for error messages. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no " + log + ": " + e.getMessage() + ")";
    }
  }

  /**
   * The test JVM's jars minus simjoin's own and those the job jar brings: what a Flink
   * distribution's {@code lib/} holds, plus {@link ParentWatch} in front.
   */
  private static String clusterClasspath(Path watchDir) throws IOException {
    String resource = ParentWatch.class.getName().replace('.', '/') + ".class";
    Path target = watchDir.resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = ParentWatch.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("cannot find " + resource + " on the classpath");
      }
      Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> cp = new ArrayList<>(List.of(watchDir.toString()));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String file = Path.of(entry).getFileName().toString();
      boolean jobs =
          !file.endsWith(".jar")
              || file.endsWith("-tests.jar")
              || file.startsWith("simjoin-")
              || file.startsWith("flink-connector-kafka")
              || file.startsWith("flink-connector-base")
              || file.startsWith("kafka");
      if (!jobs) {
        cp.add(entry);
      }
    }
    return String.join(File.pathSeparator, cp);
  }

  /** Stops every JVM: asks first, then kills what is still running after 15 s. */
  private void stopAll() {
    for (Process p : processes) {
      p.destroy();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (Process p : processes) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs and finds nothing left to stop
    }
  }
}
