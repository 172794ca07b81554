package dev.quarry.cache.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.cache.DehydratedState;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.cache.QueryState;
import dev.quarry.cache.QueryStatus;
import dev.quarry.core.QueryKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/** Dehydration and hydration (spec 6). */
final class Hydration {
  private Hydration() {}

  static DehydratedState dehydrate(
      RealQueryClient client, List<Query<?>> queries, Predicate<QuerySnapshot> filter) {
    List<DehydratedState.Query> out = new ArrayList<>();
    long now = client.clock().currentTimeMillis();
    for (Query<?> q : queries) {
      QueryState<?> s = q.state();
      if (s.status() != QueryStatus.SUCCESS || s.data().isEmpty()) {
        continue;
      }
      Resolved r = Resolved.of(client.merged(q.key, dev.quarry.cache.QueryDefaults.none()), true);
      if (!r.dehydrate() || !filter.test(QueryViews.snapshot(q))) {
        continue;
      }
      JsonNode data;
      try {
        data = client.mapper().valueToTree(s.data().get());
      } catch (IllegalArgumentException e) {
        client.errorHandler().safeHandle("dehydrating " + q.key, e);
        continue;
      }
      out.add(
          new DehydratedState.Query(
              q.key,
              data,
              s.dataUpdatedAt(),
              s.dataUpdateCount(),
              s.isInvalidated(),
              now,
              q.infinite));
    }
    return new DehydratedState(out);
  }

  static void hydrate(
      RealQueryClient client, DehydratedState state, Function<QueryKey, Optional<JavaType>> types) {
    for (DehydratedState.Query entry : state.queries()) {
      Resolved r =
          Resolved.of(client.merged(entry.key(), dev.quarry.cache.QueryDefaults.none()), true);
      Optional<JavaType> type = types.apply(entry.key());
      if (type.isEmpty() && r.dataType() != null) {
        type = Optional.of(r.dataType());
      }
      if (type.isEmpty()) {
        client
            .errorHandler()
            .safeHandle(
                "hydrating " + entry.key(),
                new IllegalArgumentException(
                    "no data type is known for query "
                        + entry.key()
                        + ": set dataType in its defaults or pass a type resolver"));
        continue;
      }
      Object data;
      try {
        data = client.mapper().treeToValue(entry.data(), type.get());
      } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
        client.errorHandler().safeHandle("hydrating " + entry.key(), e);
        continue;
      }
      if (data == null) {
        continue;
      }
      hydrateOne(client, entry, data, r);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void hydrateOne(
      RealQueryClient client, DehydratedState.Query entry, Object data, Resolved r) {
    T value = (T) data;
    QueryState<T> fresh =
        Reducer.hydrated(
            QueryState.<T>initial(),
            value,
            entry.dataUpdatedAt(),
            entry.dataUpdateCount(),
            entry.isInvalidated());
    Query<T> q = client.getOrCreate(entry.key(), r, () -> fresh, entry.infinite());
    // A no-op when the query was just created from this entry (not newer than itself).
    q.hydrate(value, entry.dataUpdatedAt(), entry.dataUpdateCount(), entry.isInvalidated());
  }
}
