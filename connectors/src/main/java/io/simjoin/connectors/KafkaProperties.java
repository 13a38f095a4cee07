package io.simjoin.connectors;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Kafka client properties given by the user (SASL, SSL, timeouts, anything), and how to show them
 * without their secrets.
 *
 * <pre>{@code
 * Properties p = KafkaProperties.load(Path.of("client.properties"));
 * p.putAll(Map.of("security.protocol", "SASL_SSL"));      // --kafka.security.protocol=SASL_SSL
 * log.info("Kafka client properties: {}", KafkaProperties.redacted(p));
 * }</pre>
 *
 * <p>Secret values never appear in a log line or an exception message of simjoin's: {@link
 * #redacted} replaces the value of every key that is a JAAS configuration, a password, a secret, a
 * token or a key (Kafka's own PASSWORD-typed settings, and the usual names of other ones).
 */
@PublicEvolving
public final class KafkaProperties {
  private static final String HIDDEN = "[redacted]";

  private KafkaProperties() {}

  /**
   * Reads a Java properties file.
   *
   * @throws IllegalArgumentException if the file does not exist or cannot be read, naming it
   */
  public static Properties load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--kafka-properties: no file " + file);
    } catch (IOException | IllegalArgumentException e) {
      // The message of a malformed file may quote a line: it might hold a secret.
      throw new IllegalArgumentException(
          "--kafka-properties: cannot read " + file + " as a Java properties file");
    }
    return p;
  }

  /** Whether a property's value must not be shown. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("jaas")
        || k.contains("password")
        || k.contains("secret")
        || k.contains("token")
        || k.endsWith(".key")
        || k.contains("credential");
  }

  /** The properties sorted by key, with the value of every secret one replaced. */
  public static Map<String, String> redacted(Properties p) {
    Map<String, String> shown = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      shown.put(k, isSecret(k) ? HIDDEN : p.getProperty(k));
    }
    return shown;
  }
}
