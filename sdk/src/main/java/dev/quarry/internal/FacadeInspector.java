package dev.quarry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.quarry.Inspector;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.cache.QueryStatus;
import dev.quarry.core.Clock;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationInfo;
import dev.quarry.optimistic.MutationState;
import dev.quarry.store.Store;
import dev.quarry.store.StoreRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/** The facade's {@link Inspector}: reads the parts' own snapshots; takes no lock of its own. */
public final class FacadeInspector implements Inspector {
  private final QueryClient queries;
  private final MutationClient mutations;
  private final @Nullable RealtimeMonitor realtime;
  private final StoreRegistry stores;
  private final Clock clock;
  private final ObjectMapper mapper;

  /** Reads these parts. */
  public FacadeInspector(
      QueryClient queries,
      MutationClient mutations,
      @Nullable RealtimeMonitor realtime,
      StoreRegistry stores,
      Clock clock,
      ObjectMapper mapper) {
    this.queries = queries;
    this.mutations = mutations;
    this.realtime = realtime;
    this.stores = stores;
    this.clock = clock;
    this.mapper = mapper;
  }

  @Override
  public Snapshot snapshot() {
    List<QueryRow> queryRows = new ArrayList<>();
    for (QuerySnapshot q : queries.snapshot()) {
      queryRows.add(
          new QueryRow(
              q.key().hash(),
              q.status(),
              q.fetchStatus(),
              q.observerCount(),
              q.isStale(),
              instant(q.dataUpdatedAt()),
              q.gcDueAt(),
              q.status() == QueryStatus.ERROR
                  ? q.state().error().map(FacadeInspector::describe)
                  : Optional.empty()));
    }
    List<MutationRow> mutationRows = new ArrayList<>();
    for (MutationInfo m : mutations.findAll(MutationFilters.all())) {
      mutationRows.add(
          new MutationRow(
              m.mutationId(),
              m.mutationKey().map(QueryKey::hash),
              m.state().status(),
              m.state().isPaused(),
              m.scope(),
              instant(m.state().submittedAt()),
              m.state().variables().map(this::writeVariables),
              error(m.state())));
    }
    List<StoreRow> storeRows = new ArrayList<>();
    for (Map.Entry<String, Object> e : stores.snapshot().entrySet()) {
      storeRows.add(new StoreRow(e.getKey(), e.getValue()));
    }
    return new Snapshot(
        Instant.ofEpochMilli(clock.currentTimeMillis()),
        queryRows,
        mutationRows,
        Optional.ofNullable(realtime).map(RealtimeMonitor::row),
        storeRows);
  }

  @Override
  public Optional<JsonNode> queryData(String key) {
    QueryKey queryKey = QueryKey.fromJson(key);
    for (QuerySnapshot q : queries.findAll(QueryFilters.exact(queryKey))) {
      Optional<?> data = q.state().data();
      if (data.isPresent()) {
        try {
          return Optional.of(mapper.valueToTree(data.get()));
        } catch (IllegalArgumentException e) {
          return Optional.of(new TextNode("<not serializable: " + e.getMessage() + ">"));
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public Outbox outbox() {
    return new Outbox(mutations.outboxRecords(), mutations.setAsideRecords());
  }

  @Override
  public Registration subscribe(Runnable onChange) {
    List<Registration> parts = new ArrayList<>();
    parts.add(queries.subscribe(e -> onChange.run()));
    parts.add(mutations.subscribe(e -> onChange.run()));
    if (realtime != null) {
      parts.add(realtime.client().onConnectionEvent(e -> onChange.run()));
    }
    for (Store<?> store : stores.stores()) {
      // a store calls once at once: that first call is not a change
      AtomicBoolean first = new AtomicBoolean(true);
      parts.add(
          store.subscribe(
              state -> {
                if (!first.compareAndSet(true, false)) {
                  onChange.run();
                }
              }));
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        parts.forEach(Registration::close);
      }
    };
  }

  private String writeVariables(Object variables) {
    try {
      return mapper.writeValueAsString(variables);
    } catch (JsonProcessingException | RuntimeException e) {
      return String.valueOf(variables);
    }
  }

  private static Optional<String> error(MutationState<?, ?, ?> state) {
    return state.error().or(state::failureReason).map(FacadeInspector::describe);
  }

  private static String describe(Throwable error) {
    return error.getClass().getSimpleName() + ": " + error.getMessage();
  }

  /** 0 means "never" in the parts' states. */
  private static Optional<Instant> instant(long epochMillis) {
    return epochMillis > 0 ? Optional.of(Instant.ofEpochMilli(epochMillis)) : Optional.empty();
  }

  @Override
  public String toJson(Snapshot snapshot) {
    return InspectorFormat.json(snapshot, mapper);
  }
}
