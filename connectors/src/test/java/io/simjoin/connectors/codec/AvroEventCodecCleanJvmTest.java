package io.simjoin.connectors.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec in a fresh JVM without {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES}, as a
 * TaskManager a user starts: this test JVM may have had Avro initialized or its policy changed by
 * other tests, a child JVM has not.
 */
class AvroEventCodecCleanJvmTest {

  @Test
  void decodesEverythingInAJvmStartedWithoutAvroProperties(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("probe.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    CleanJvmProbe.class.getName()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(done).as("probe finished; output:%n%s", out).isTrue();
    assertThat(p.exitValue()).as("probe exit; output:%n%s", out).isZero();
    int samples =
        AvroSamples.items().size()
            + AvroSamples.queries().size()
            + AvroSamples.updates().size()
            + AvroSamples.alerts().size()
            + AvroSamples.deadLetters().size();
    assertThat(out)
        .contains("codec round trips: " + samples)
        .contains("global policy: unchanged")
        .contains("plain Avro decoder: SecurityException Forbidden io.simjoin.schemas.avro.");
  }
}
