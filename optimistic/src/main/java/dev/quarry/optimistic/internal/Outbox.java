package dev.quarry.optimistic.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonType;
import dev.quarry.optimistic.OutboxException;
import dev.quarry.optimistic.OutboxRecord;
import dev.quarry.optimistic.OutboxStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client's side of its {@link OutboxStore}: writes persistent mutations (variables as JSON, a
 * fresh idempotency key), reads them back for a restart, marks them done, sets unreadable ones
 * aside, and remembers which records this process is already running so that a resume never sends
 * one twice. Thread-safe.
 */
final class Outbox implements AutoCloseable {
  private final OutboxStore store;
  private final boolean owned;
  private final ObjectMapper mapper;
  private final ErrorHandler errorHandler;
  private final Set<Long> live = ConcurrentHashMap.newKeySet();

  Outbox(OutboxStore store, boolean owned, ObjectMapper mapper, ErrorHandler errorHandler) {
    this.store = store;
    this.owned = owned;
    this.mapper = mapper;
    this.errorHandler = errorHandler;
    reportDamage();
  }

  /** Hands the damage the store found (when it opened or reopened) to the error handler. */
  void reportDamage() {
    List<OutboxException> reports;
    try {
      reports = store.takeDamageReports();
    } catch (RuntimeException e) {
      errorHandler.safeHandle("reading the outbox's damage reports", e);
      return;
    }
    for (OutboxException report : reports) {
      errorHandler.safeHandle("outbox " + store, report);
    }
  }

  /**
   * Records a mutation durably before it runs.
   *
   * @throws OutboxException if the variables cannot be written as JSON or the store fails
   */
  <V> OutboxRecord record(
      QueryKey key, JsonType<V> type, V variables, Optional<String> scope, long now) {
    String json;
    try {
      json = mapper.writerFor(type.resolve(mapper.getTypeFactory())).writeValueAsString(variables);
    } catch (JsonProcessingException e) {
      throw new OutboxException("cannot write the variables of mutation " + key + " as JSON", e);
    }
    OutboxRecord record;
    try {
      record = store.append(key.hash(), json, scope, UUID.randomUUID().toString(), now);
    } catch (OutboxException e) {
      reportDamage();
      throw e;
    } catch (RuntimeException e) {
      throw new OutboxException("cannot record mutation " + key + " in the outbox", e);
    }
    reportDamage();
    live.add(record.sequence());
    return record;
  }

  /** Pending records this process does not run yet, in order. */
  List<OutboxRecord> notLive() {
    List<OutboxRecord> pending = store.pending();
    reportDamage();
    return pending.stream().filter(r -> !live.contains(r.sequence())).toList();
  }

  void markLive(long sequence) {
    live.add(sequence);
  }

  /** The record's key. */
  static QueryKey key(OutboxRecord record) {
    try {
      return QueryKey.fromJson(record.mutationKey());
    } catch (IllegalArgumentException e) {
      throw new OutboxException(
          "outbox record " + record.sequence() + " has an unreadable mutation key", e);
    }
  }

  /** The record's variables read as {@code type}. */
  Object variables(OutboxRecord record, QueryKey key, JsonType<Object> type) {
    Object variables;
    try {
      variables = mapper.readValue(record.variables(), type.resolve(mapper.getTypeFactory()));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new OutboxException(
          "outbox record "
              + record.sequence()
              + " of key "
              + key
              + ": unreadable variables as "
              + type,
          e);
    }
    if (variables == null) {
      throw new OutboxException(
          "outbox record " + record.sequence() + " of key " + key + ": variables are null");
    }
    return variables;
  }

  /** Reports a record that cannot be restored and moves it aside. */
  void setAside(OutboxRecord record, OutboxException reason) {
    errorHandler.safeHandle("outbox record " + record.sequence(), reason);
    try {
      store.setAside(record.sequence(), String.valueOf(reason.getMessage()));
    } catch (RuntimeException failed) {
      errorHandler.safeHandle("setting aside outbox record " + record.sequence(), failed);
    }
  }

  /** The mutation settled: its record is done. */
  void done(long sequence, String what) {
    try {
      store.markDone(sequence);
    } catch (RuntimeException e) {
      errorHandler.safeHandle("marking " + what + " done in the outbox", e);
    }
    reportDamage();
    live.remove(sequence);
  }

  List<OutboxRecord> pending() {
    return store.pending();
  }

  List<OutboxRecord.SetAside> setAsideRecords() {
    return store.setAsideRecords();
  }

  long sizeOnDisk() {
    return store.sizeOnDisk();
  }

  @Override
  public void close() {
    if (owned) {
      store.close();
    }
  }

  @Override
  public String toString() {
    return store.toString();
  }
}
