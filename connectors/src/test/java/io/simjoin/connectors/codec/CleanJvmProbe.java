package io.simjoin.connectors.codec;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import java.util.List;
import java.util.Objects;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Runs in a JVM of its own, started like a TaskManager a user starts: no Avro system property.
 * Prints one line per finding and exits 0 only if the codec decoded everything, the JVM really was
 * clean (Avro's own generated decoder is refused) and the codec changed no global Avro policy.
 */
public final class CleanJvmProbe {

  private CleanJvmProbe() {}

  public static void main(String[] args) throws Exception {
    for (String p :
        List.of("org.apache.avro.SERIALIZABLE_PACKAGES", "org.apache.avro.SERIALIZABLE_CLASSES")) {
      check(System.getProperty(p) == null, p + " is set: the JVM is not clean");
    }
    AvroEventCodec codec = new AvroEventCodec();
    int n = 0;
    for (ItemEvent e : AvroSamples.items()) {
      n += same(codec.decodeAny(codec.encodeItem(e), 0).event(), e);
    }
    for (QueryEvent q : AvroSamples.queries()) {
      n += same(codec.decodeAny(codec.encodeQuery(q), 0).event(), q);
    }
    for (TopKUpdate u : AvroSamples.updates()) {
      n += same(codec.decodeUpdate(codec.encodeUpdate(u)), u);
    }
    for (ThresholdMatch m : AvroSamples.alerts()) {
      n += same(codec.decodeAlert(codec.encodeAlert(m)), m);
    }
    for (DeadLetter d : AvroSamples.deadLetters()) {
      n += same(codec.decodeDeadLetter(codec.encodeDeadLetter(d)), d);
    }
    System.out.println("codec round trips: " + n);
    check(
        ClassSecurityValidator.getGlobal() == ClassSecurityValidator.DEFAULT,
        "the codec replaced Avro's global class security policy");
    System.out.println("global policy: unchanged");
    try {
      var plain = io.simjoin.schemas.avro.ItemEvent.getDecoder();
      plain.decode(io.simjoin.schemas.avro.ItemEvent.getEncoder().encode(toAvro()));
      System.out.println("plain Avro decoder: read it (the property check did not apply)");
      System.exit(1);
    } catch (SecurityException expected) {
      System.out.println("plain Avro decoder: SecurityException " + expected.getMessage());
    }
  }

  private static io.simjoin.schemas.avro.ItemEvent toAvro() {
    return new io.simjoin.schemas.avro.ItemEvent(
        "ns", "id", io.simjoin.schemas.avro.ItemOp.DELETE, null, 1L);
  }

  private static int same(Object decoded, Object original) {
    check(Objects.equals(decoded, original), "decoded " + decoded + " but wrote " + original);
    return 1;
  }

  private static void check(boolean ok, String failure) {
    if (!ok) {
      System.out.println("FAILED: " + failure);
      System.exit(1);
    }
  }
}
