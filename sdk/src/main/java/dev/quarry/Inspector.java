package dev.quarry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.QueryStatus;
import dev.quarry.core.Registration;
import dev.quarry.internal.InspectorFormat;
import dev.quarry.optimistic.MutationStatus;
import dev.quarry.optimistic.OutboxRecord;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.TopicStatus;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The devtools: a point-in-time {@link Snapshot} of every query, every mutation, the realtime
 * connection and the client-state stores of a {@link Quarry}, as records, as a text table and as
 * JSON.
 *
 * <pre>{@code
 * Inspector.Snapshot s = quarry.inspector().snapshot();
 * System.out.println(s.toTable());                    // a fixed-width table per section
 * Files.writeString(dump, quarry.inspector().toJson(s)); // the same, as JSON (Jackson)
 * s.queries().stream().filter(Inspector.QueryRow::stale).count();
 * }</pre>
 *
 * <p>Thread-safe; each call of {@link #snapshot()} reads the current state, without blocking the
 * clients. Times are wall-clock instants from the facade's clock. JSON field names are the record
 * component names; absent values are JSON {@code null}; instants are ISO-8601 strings; keys are
 * JSON arrays; store states are serialized with the facade's {@code ObjectMapper}.
 */
public interface Inspector {

  /** Reads the current state. */
  Snapshot snapshot();

  /**
   * The snapshot as pretty-printed JSON, store states written with the facade's {@code
   * ObjectMapper}; a state it cannot write is reported as a string naming the error.
   */
  String toJson(Snapshot snapshot);

  /**
   * The data of the cached query whose {@linkplain QueryRow#key() key} is {@code key}, as a JSON
   * tree written with the facade's {@code ObjectMapper}: what a devtools detail view shows. Empty
   * when no such query is cached or it has no data; data the mapper cannot write is returned as a
   * text node naming the error. Thread-safe; reads the current data, not a snapshot's.
   *
   * @param key a key as canonical JSON, e.g. {@code ["execution","e1"]}
   * @throws IllegalArgumentException if {@code key} is not a JSON array
   */
  Optional<JsonNode> queryData(String key);

  /**
   * The outbox of persistent mutations: the records not yet settled and the records set aside
   * because they could not be restored (both empty without {@code persistence}). Thread-safe.
   */
  Outbox outbox();

  /**
   * Calls {@code onChange} after anything a snapshot shows may have changed: a query cache event, a
   * mutation cache event (the outbox changes with these), a realtime connection event, a change of
   * a store registered when this was called. Changes that only the clock makes (a query turning
   * stale, a gc timer coming due) raise no call: a view that shows them re-reads on a timer of its
   * own.
   *
   * <p>Calls run on the facade's callback executor, one per change, not coalesced: a view should
   * coalesce them before it takes a snapshot. {@code onChange} must be quick; an exception from it
   * goes to the error handler. Close the returned handle to stop (idempotent); closing the facade
   * stops every call too.
   */
  Registration subscribe(Runnable onChange);

  /** {@code snapshot().toTable()}. */
  default String table() {
    return snapshot().toTable();
  }

  /** {@code toJson(snapshot())}. */
  default String json() {
    return toJson(snapshot());
  }

  /**
   * Everything the inspector saw at {@code takenAt}.
   *
   * @param takenAt when the snapshot was taken
   * @param queries every cached query, in insertion order
   * @param mutations every mutation in the mutation cache, in submission order
   * @param realtime the connection, if the facade has one
   * @param stores every store registered with the facade, in registration order
   */
  record Snapshot(
      Instant takenAt,
      List<QueryRow> queries,
      List<MutationRow> mutations,
      Optional<RealtimeRow> realtime,
      List<StoreRow> stores) {
    /** Copies the lists. */
    public Snapshot {
      Objects.requireNonNull(takenAt, "takenAt");
      queries = List.copyOf(queries);
      mutations = List.copyOf(mutations);
      Objects.requireNonNull(realtime, "realtime");
      stores = List.copyOf(stores);
    }

    /** A text table, one section per part, for a log or a console. */
    public String toTable() {
      return InspectorFormat.table(this);
    }
  }

  /**
   * One cached query.
   *
   * @param key the key as canonical JSON, e.g. {@code ["execution","e1"]}
   * @param dataUpdatedAt when data last arrived; empty while it has none
   * @param gcDueAt when it is collected, if a gc timer runs (nobody observes it)
   * @param error the last error as {@code Type: message}, if its status is {@code ERROR}
   */
  record QueryRow(
      String key,
      QueryStatus status,
      FetchStatus fetchStatus,
      int observers,
      boolean stale,
      Optional<Instant> dataUpdatedAt,
      Optional<Instant> gcDueAt,
      Optional<String> error) {
    /** A row without an error. */
    public QueryRow(
        String key,
        QueryStatus status,
        FetchStatus fetchStatus,
        int observers,
        boolean stale,
        Optional<Instant> dataUpdatedAt,
        Optional<Instant> gcDueAt) {
      this(key, status, fetchStatus, observers, stale, dataUpdatedAt, gcDueAt, Optional.empty());
    }
  }

  /**
   * One mutation.
   *
   * @param id increasing in submission order
   * @param key the mutation key as canonical JSON, if it has one
   * @param paused whether it waits for connectivity
   * @param scope its scope id, if any
   * @param variables its variables as JSON written with the facade's {@code ObjectMapper} (or their
   *     {@code toString()} if the mapper cannot write them), if it was submitted
   * @param error its error as {@code Type: message} once it failed, or the reason of the last
   *     failed attempt while it is paused for a retry
   */
  record MutationRow(
      long id,
      Optional<String> key,
      MutationStatus status,
      boolean paused,
      Optional<String> scope,
      Optional<Instant> submittedAt,
      Optional<String> variables,
      Optional<String> error) {
    /** A row without variables or error. */
    public MutationRow(
        long id,
        Optional<String> key,
        MutationStatus status,
        boolean paused,
        Optional<String> scope,
        Optional<Instant> submittedAt) {
      this(id, key, status, paused, scope, submittedAt, Optional.empty(), Optional.empty());
    }
  }

  /**
   * The outbox of persistent mutations.
   *
   * @param pending the records not yet settled, in submission order
   * @param setAside the records set aside because they could not be restored, with the reason
   */
  record Outbox(List<OutboxRecord> pending, List<OutboxRecord.SetAside> setAside) {
    /** Copies the lists. */
    public Outbox {
      pending = List.copyOf(pending);
      setAside = List.copyOf(setAside);
    }
  }

  /**
   * The realtime connection.
   *
   * @param endpoint the server URI of the last connect (one of {@link
   *     dev.quarry.realtime.RealtimeOptions#endpoints()}, with its user info and the values of
   *     secret-looking query parameters such as {@code access_token} replaced by {@code REDACTED}),
   *     empty before the first
   * @param topics every topic the client holds subscribed, the facade's (bindings, live queries,
   *     progress, notifications) and the application's own, from {@link
   *     dev.quarry.realtime.RealtimeClient#topics()}
   * @param lastRecovery the last reconnect, if there was one
   */
  record RealtimeRow(
      ConnectionState state,
      Optional<URI> endpoint,
      List<TopicStatus> topics,
      Optional<Recovery> lastRecovery) {
    /** Copies the list. */
    public RealtimeRow {
      topics = List.copyOf(topics);
    }

    /**
     * The subscribed topics as {@code name params}, e.g. {@code execution {"executionId":"e1"}}.
     */
    public List<String> subscriptions() {
      return topics.stream().map(t -> t.topic().name() + " " + t.topic().params()).toList();
    }
  }

  /**
   * A reconnect.
   *
   * @param recovered whether the server restored the session (no events were missed)
   * @param sessionId the socket id after the reconnect
   */
  record Recovery(Instant at, boolean recovered, String sessionId) {}

  /**
   * A client-state store.
   *
   * @param state its current (immutable) state
   */
  record StoreRow(String name, Object state) {}
}
