package io.simjoin.connectors.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The record keys of simjoin's topics, the same in both wire formats: a compact JSON object in
 * UTF-8, fields in this order and no spaces, so that equal keys are equal bytes (log compaction
 * compares bytes).
 *
 * <ul>
 *   <li>items and queries: {@code {"namespace":"shop","id":"sku-1"}}. Producers should key by it so
 *       that one id's events stay in one partition, in order. On the items topic a record with a
 *       null value (a tombstone) deletes the item its key names.
 *   <li>updates and alerts: {@code {"namespace":"shop","queryId":"user-7"}}: on a log-compacted
 *       updates topic, the last record of each key is the query's current top-k; a cancelled query
 *       ends with its CANCELLED update and then a tombstone on the same key.
 *   <li>dead letters: the key of the rejected record, or none.
 * </ul>
 *
 * <pre>{@code
 * byte[] key = RecordKeys.itemKey("shop", "sku-1");
 * RecordKeys.Id id = RecordKeys.parseItemKey(key);   // Id[namespace=shop, id=sku-1]
 * }</pre>
 */
@PublicEvolving
public final class RecordKeys {
  private static final JsonFactory JSON = new JsonFactory();

  private RecordKeys() {}

  /** A namespace and an id, read from a key. */
  public record Id(String namespace, String id) {}

  /** The key of an item or query record. */
  public static byte[] itemKey(String namespace, String id) {
    return key("id", namespace, id);
  }

  /** The key of a query record: the same layout as an item's. */
  public static byte[] queryKey(String namespace, String id) {
    return key("id", namespace, id);
  }

  /** The key of an update or alert record. */
  public static byte[] updateKey(String namespace, String queryId) {
    return key("queryId", namespace, queryId);
  }

  private static byte[] key(String idField, String namespace, String id) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 + id.length() + namespace.length());
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("namespace", namespace);
      g.writeStringField(idField, id);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The namespace and id of an item or query key ({@code {"namespace":…,"id":…}}, any field order,
   * other fields ignored).
   *
   * @throws DecodeException if the key is missing, not such a JSON object, or lacks either field
   */
  public static Id parseItemKey(byte[] key) throws DecodeException {
    return parse(key, "id");
  }

  /** The namespace and query id of an update or alert key. */
  public static Id parseUpdateKey(byte[] key) throws DecodeException {
    return parse(key, "queryId");
  }

  private static Id parse(byte[] key, String idField) throws DecodeException {
    String expected = "{\"namespace\":\"…\",\"" + idField + "\":\"…\"}";
    if (key == null || key.length == 0) {
      throw new DecodeException("the record has no key; a key must be " + expected);
    }
    String namespace = null;
    String id = null;
    try (JsonParser p = JSON.createParser(key)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new DecodeException("the key is not a JSON object; it must be " + expected);
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (field.equals("namespace") || field.equals(idField)) {
          if (t != JsonToken.VALUE_STRING) {
            throw new DecodeException(
                "the key's \"" + field + "\" is not a string; the key must be " + expected);
          }
          if (field.equals("namespace")) {
            namespace = p.getText();
          } else {
            id = p.getText();
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw new DecodeException(
          "the key is not valid JSON (" + e.getOriginalMessage() + "); it must be " + expected, e);
    } catch (IOException e) {
      throw new DecodeException("the key could not be read: " + e + "; it must be " + expected, e);
    }
    if (namespace == null || id == null) {
      throw new DecodeException(
          "the key lacks \""
              + (namespace == null ? "namespace" : idField)
              + "\"; it must be "
              + expected);
    }
    return new Id(namespace, id);
  }
}
