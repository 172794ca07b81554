package dev.quarry.optimistic.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.optimistic.OutboxRecord;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The stored form of one outbox record: a JSON object with an envelope version {@code v} and a
 * CRC-32C {@code crc} over the sequence and every field, so that a record that changed on disk (or
 * was moved under another sequence) is detected instead of sent. Version 0 is the form written
 * before versions existed (no {@code v}, no {@code crc}); it is read as is, unchecked.
 */
final class Envelope {
  /** The envelope version this code writes and the newest it reads. */
  static final int VERSION = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * A stored entry read back.
   *
   * @param record the record; for an unreadable entry, an empty key and the raw text as variables
   * @param reason the set-aside reason, if the entry carries one
   * @param problem why the entry cannot be trusted (unreadable, checksum failed); null when sound
   * @param version the envelope version found
   */
  record Read(OutboxRecord record, @Nullable String reason, @Nullable String problem, int version) {
    boolean sound() {
      return problem == null;
    }
  }

  private Envelope() {}

  static String encode(OutboxRecord r, @Nullable String reason) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("v", VERSION);
    node.put("key", r.mutationKey());
    node.put("variables", r.variables());
    r.scope().ifPresent(s -> node.put("scope", s));
    node.put("idempotencyKey", r.idempotencyKey());
    node.put("submittedAt", r.submittedAt());
    if (reason != null) {
      node.put("reason", reason);
    }
    node.put("crc", crc(r, reason));
    return node.toString();
  }

  /** Decodes an entry; never throws. */
  static Read read(long sequence, String raw) {
    JsonNode node;
    try {
      node = MAPPER.readTree(raw);
    } catch (JsonProcessingException | RuntimeException e) {
      return unreadable(sequence, raw, "not JSON");
    }
    if (node == null
        || !node.isObject()
        || !node.path("key").isTextual()
        || !node.path("variables").isTextual()
        || !node.path("idempotencyKey").isTextual()) {
      return unreadable(sequence, raw, "not an outbox record");
    }
    int version = node.has("v") ? node.path("v").asInt(-1) : 0;
    if (version < 0) {
      return unreadable(sequence, raw, "an unreadable envelope version");
    }
    JsonNode scope = node.path("scope");
    JsonNode reasonNode = node.path("reason");
    String reason = reasonNode.isTextual() ? reasonNode.textValue() : null;
    OutboxRecord record =
        new OutboxRecord(
            sequence,
            node.get("key").textValue(),
            node.get("variables").textValue(),
            scope.isTextual() ? Optional.of(scope.textValue()) : Optional.empty(),
            node.get("idempotencyKey").textValue(),
            node.path("submittedAt").asLong(0));
    if (version > VERSION) {
      return new Read(record, reason, "envelope version " + version, version);
    }
    if (version >= 1 && !crc(record, reason).equals(node.path("crc").asText(""))) {
      return new Read(
          new OutboxRecord(sequence, "", raw, Optional.empty(), "", 0),
          reason,
          "failed its checksum",
          version);
    }
    return new Read(record, reason, null, version);
  }

  private static Read unreadable(long sequence, String raw, String why) {
    return new Read(new OutboxRecord(sequence, "", raw, Optional.empty(), "", 0), null, why, 0);
  }

  private static String crc(OutboxRecord r, @Nullable String reason) {
    CRC32C crc = new CRC32C();
    update(crc, Long.toString(r.sequence()));
    update(crc, r.mutationKey());
    update(crc, r.variables());
    update(crc, r.scope().map(s -> "+" + s).orElse("-"));
    update(crc, r.idempotencyKey());
    update(crc, Long.toString(r.submittedAt()));
    update(crc, reason == null ? "-" : "+" + reason);
    return String.format("%08x", crc.getValue());
  }

  /** Length-prefixed, so that moving characters from one field to the next changes the sum. */
  private static void update(CRC32C crc, String field) {
    byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
    crc.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
    crc.update(bytes);
  }
}
