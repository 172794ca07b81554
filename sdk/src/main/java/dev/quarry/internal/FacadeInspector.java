package dev.quarry.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.Inspector;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.core.Clock;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationInfo;
import dev.quarry.store.StoreRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
              q.gcDueAt()));
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
              instant(m.state().submittedAt())));
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

  /** 0 means "never" in the parts' states. */
  private static Optional<Instant> instant(long epochMillis) {
    return epochMillis > 0 ? Optional.of(Instant.ofEpochMilli(epochMillis)) : Optional.empty();
  }

  @Override
  public String toJson(Snapshot snapshot) {
    return InspectorFormat.json(snapshot, mapper);
  }
}
