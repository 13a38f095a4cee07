package io.simjoin.jobs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.simjoin.connectors.KafkaPreflight;
import io.simjoin.connectors.WireFormat;
import io.simjoin.connectors.codec.DecodeException;
import io.simjoin.connectors.codec.EventCodec;
import io.simjoin.connectors.codec.EventCodecs;
import io.simjoin.connectors.codec.JsonEventCodec;
import io.simjoin.connectors.codec.RecordKeys;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./simjoin produce}: turns JSON lines (the JSON wire format of items and queries) into
 * records of a topic, in Avro or JSON, keyed by namespace and id; so a user without an Avro
 * toolchain can feed the Avro job.
 *
 * <pre>{@code
 * echo '{"namespace":"shop","id":"sku-1","op":"UPSERT","vector":[0.1,0.2]}' \
 *   | ./simjoin produce --topic items --format avro
 * ./simjoin produce --topic queries --format json queries.jsonl
 * }</pre>
 *
 * <p>An item or a query is told apart by its {@code op}. A line that is not an event of either kind
 * is reported with its line number and not sent; the exit code is then 1. Events with bad content
 * (NaN, a wrong dimension) are sent as they are: the job turns them into dead letters.
 */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Send JSON lines of item or query events to a topic, in Avro or JSON.")
public final class ProduceCommand implements Callable<Integer> {
  private static final Set<String> ITEM_OPS = Set.of("UPSERT", "DELETE");
  private static final Set<String> QUERY_OPS = Set.of("ONCE", "REGISTER", "CANCEL");
  private static final JsonFactory JSON = new JsonFactory();

  @Option(names = "--topic", required = true, description = "The topic to write.")
  String topic;

  @Option(
      names = "--format",
      paramLabel = "avro|json",
      defaultValue = "avro",
      description = "Format to write. Default: ${DEFAULT-VALUE}.")
  String format;

  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "JSON lines to send; standard input if absent or -.")
  Path file;

  @Mixin KafkaClientFlags kafka;

  /**
   * {@code --kafka.<key>=<value>}: picocli leaves them unmatched, {@link KafkaClientFlags} reads
   * them.
   */
  @CommandLine.Unmatched List<String> unmatched = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EventCodec codec;
    Properties p;
    try {
      codec = EventCodecs.forFormat(WireFormat.parse(format));
      p = kafka.properties(unmatched);
      if (file != null && !file.toString().equals("-") && !Files.isReadable(file)) {
        throw new IllegalArgumentException("cannot read " + file);
      }
      KafkaPreflight.requireTopics(kafka.bootstrapServers, p, RunCommand.PREFLIGHT_TIMEOUT, topic);
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("simjoin produce: " + e.getMessage());
      return 2;
    }
    p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
    JsonEventCodec reader = new JsonEventCodec();
    long sent = 0;
    long bad = 0;
    long lineNo = 0;
    try (BufferedReader in = open();
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        try {
          producer.send(record(reader, codec, line));
          sent++;
        } catch (DecodeException e) {
          bad++;
          err.println("simjoin produce: line " + lineNo + " not sent: " + e.getMessage());
        }
      }
      producer.flush();
    }
    out.println(
        "simjoin produce: sent "
            + sent
            + " records to "
            + topic
            + (bad > 0 ? ", " + bad + " lines refused" : ""));
    out.flush();
    return bad == 0 ? 0 : 1;
  }

  private BufferedReader open() throws IOException {
    if (file == null || file.toString().equals("-")) {
      return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
    return Files.newBufferedReader(file, StandardCharsets.UTF_8);
  }

  private ProducerRecord<byte[], byte[]> record(
      JsonEventCodec reader, EventCodec codec, String line) throws DecodeException {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    long now = System.currentTimeMillis();
    String op = op(bytes);
    if (ITEM_OPS.contains(op)) {
      ItemEvent e = reader.decodeItem(bytes, now);
      return new ProducerRecord<>(topic, key(e.namespace(), e.id()), codec.encodeItem(e));
    }
    if (QUERY_OPS.contains(op)) {
      QueryEvent q = reader.decodeQuery(bytes, now);
      return new ProducerRecord<>(topic, key(q.namespace(), q.id()), codec.encodeQuery(q));
    }
    throw new DecodeException(
        (op == null ? "no \"op\"" : "unknown op \"" + op + "\"")
            + ": an item has op UPSERT or DELETE, a query ONCE, REGISTER or CANCEL");
  }

  private static byte[] key(String namespace, String id) {
    return namespace == null || id == null ? null : RecordKeys.itemKey(namespace, id);
  }

  /** The top-level {@code op} of a JSON object, or null. */
  private static String op(byte[] line) throws DecodeException {
    try (JsonParser parser = JSON.createParser(line)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new DecodeException("not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken t = parser.nextToken();
        if (field.equals("op") && t == JsonToken.VALUE_STRING) {
          return parser.getText();
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException e) {
      throw new DecodeException("not valid JSON: " + e.getMessage(), e);
    }
  }
}
