package dev.quarry.optimistic.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.optimistic.OutboxException;
import dev.quarry.optimistic.OutboxRecord;
import dev.quarry.optimistic.OutboxStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.jspecify.annotations.Nullable;

/**
 * The H2 MVStore outbox: three maps in one file, {@code pending} and {@code setAside} (sequence to
 * a JSON envelope) and {@code meta} (the next sequence). Auto-commit is off; every write commits
 * and syncs before returning, so a record survives a process kill (MVStore's append-only chunks
 * keep the last committed version readable after a crash).
 *
 * <p>Thread-safe: every method holds the instance's lock (the calls are short and never call user
 * code).
 */
public final class MvStoreOutbox implements OutboxStore {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String NEXT_SEQUENCE = "nextSequence";

  private final Object lock = new Object();
  private final Path file;
  private final MVStore store;
  private final MVMap<Long, String> pending;
  private final MVMap<Long, String> setAside;
  private final MVMap<String, Long> meta;
  private boolean closed;

  private MvStoreOutbox(Path file, MVStore store) {
    this.file = file;
    this.store = store;
    this.pending = store.openMap("pending");
    this.setAside = store.openMap("setAside");
    this.meta = store.openMap("meta");
  }

  /** Opens or creates the outbox in {@code file}. */
  public static MvStoreOutbox open(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        java.nio.file.Files.createDirectories(parent);
      }
      MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
      return new MvStoreOutbox(file, store);
    } catch (RuntimeException | java.io.IOException e) {
      throw new OutboxException("cannot open the outbox file " + file, e);
    }
  }

  @Override
  public OutboxRecord append(
      String mutationKey,
      String variables,
      Optional<String> scope,
      String idempotencyKey,
      long submittedAt) {
    synchronized (lock) {
      checkOpen();
      try {
        Long next = meta.get(NEXT_SEQUENCE);
        long sequence = next == null ? 1 : next;
        OutboxRecord record =
            new OutboxRecord(sequence, mutationKey, variables, scope, idempotencyKey, submittedAt);
        pending.put(sequence, encode(record, null));
        meta.put(NEXT_SEQUENCE, sequence + 1);
        commit();
        return record;
      } catch (RuntimeException e) {
        throw new OutboxException("cannot append to the outbox " + file, e);
      }
    }
  }

  @Override
  public void markDone(long sequence) {
    synchronized (lock) {
      checkOpen();
      try {
        if (pending.remove(sequence) != null) {
          commit();
        }
      } catch (RuntimeException e) {
        throw new OutboxException("cannot mark record " + sequence + " done in " + file, e);
      }
    }
  }

  @Override
  public List<OutboxRecord> pending() {
    synchronized (lock) {
      checkOpen();
      List<OutboxRecord> out = new ArrayList<>();
      for (Map.Entry<Long, String> e : pending.entrySet()) {
        out.add(decode(e.getKey(), e.getValue()));
      }
      return out;
    }
  }

  @Override
  public void setAside(long sequence, String reason) {
    Objects.requireNonNull(reason, "reason");
    synchronized (lock) {
      checkOpen();
      try {
        String raw = pending.get(sequence);
        if (raw == null) {
          return;
        }
        OutboxRecord record = decode(sequence, raw);
        setAside.put(sequence, encode(record, reason));
        pending.remove(sequence);
        commit();
      } catch (RuntimeException e) {
        throw new OutboxException("cannot set record " + sequence + " aside in " + file, e);
      }
    }
  }

  @Override
  public List<OutboxRecord.SetAside> setAsideRecords() {
    synchronized (lock) {
      checkOpen();
      List<OutboxRecord.SetAside> out = new ArrayList<>();
      for (Map.Entry<Long, String> e : setAside.entrySet()) {
        String reason = "unknown";
        try {
          JsonNode node = MAPPER.readTree(e.getValue());
          reason = node.path("reason").asText("unknown");
        } catch (JsonProcessingException ignored) {
          // decode() below keeps the raw text.
        }
        out.add(new OutboxRecord.SetAside(decode(e.getKey(), e.getValue()), reason));
      }
      return out;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      store.close();
    }
  }

  @Override
  public String toString() {
    return "MvStoreOutbox{" + file + "}";
  }

  private void commit() {
    store.commit();
    store.sync();
  }

  private void checkOpen() {
    if (closed) {
      throw new OutboxException("the outbox " + file + " is closed");
    }
  }

  private static String encode(OutboxRecord r, @Nullable String reason) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("key", r.mutationKey());
    node.put("variables", r.variables());
    r.scope().ifPresent(s -> node.put("scope", s));
    node.put("idempotencyKey", r.idempotencyKey());
    node.put("submittedAt", r.submittedAt());
    if (reason != null) {
      node.put("reason", reason);
    }
    return node.toString();
  }

  /** Decodes an envelope; one that is not readable comes back with an empty key and raw text. */
  private static OutboxRecord decode(long sequence, String raw) {
    try {
      JsonNode node = MAPPER.readTree(raw);
      if (node != null
          && node.isObject()
          && node.path("key").isTextual()
          && node.path("variables").isTextual()
          && node.path("idempotencyKey").isTextual()) {
        JsonNode scope = node.path("scope");
        return new OutboxRecord(
            sequence,
            node.get("key").textValue(),
            node.get("variables").textValue(),
            scope.isTextual() ? Optional.of(scope.textValue()) : Optional.empty(),
            node.get("idempotencyKey").textValue(),
            node.path("submittedAt").asLong(0));
      }
    } catch (JsonProcessingException e) {
      // Falls through to the raw form.
    }
    return new OutboxRecord(sequence, "", raw, Optional.empty(), "", 0);
  }
}
