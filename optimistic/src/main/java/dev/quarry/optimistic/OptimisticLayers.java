package dev.quarry.optimistic;

import dev.quarry.cache.QueryAction;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFilters;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Optimistic changes as layers over the last server data, per query key.
 *
 * <p>For each key with layers it keeps the base (the data the server last gave, or what was cached
 * when the first layer was applied) and the layers in submission order. The cached value is always
 * {@code base} with every layer applied in order. A failed mutation's layers are removed and the
 * rest replayed, so overlapping changes roll back independently. A succeeded mutation's layers stay
 * ("committed") until the next server data for the key lands, which is expected to contain the
 * change; pending layers are re-applied over that data.
 *
 * <p>All state is confined to the mutation client's loop; cache events are posted onto it, so with
 * threaded executors fresh server data is visible without the pending layers for the short time
 * until they are re-applied. Data the application itself sets on a layered key with {@code
 * setQueryData} is not taken as the new base: the next change of the layers writes over it.
 */
final class OptimisticLayers implements AutoCloseable {
  private final QueryClient queries;
  private final MutationClient client;
  private final Map<QueryKey, KeyLayers> keys = new HashMap<>();
  private final Subscription events;

  private static final class Layer {
    final long mutationId;
    final OptimisticUpdate<Object, Object> update;
    final Object variables;
    boolean committed;

    Layer(long mutationId, OptimisticUpdate<Object, Object> update, Object variables) {
      this.mutationId = mutationId;
      this.update = update;
      this.variables = variables;
    }
  }

  private static final class KeyLayers {
    Optional<Object> base;
    final List<Layer> layers = new ArrayList<>();
    boolean wrote;

    KeyLayers(Optional<Object> base) {
      this.base = base;
    }
  }

  OptimisticLayers(QueryClient queries, MutationClient client) {
    this.queries = queries;
    this.client = client;
    this.events =
        queries.subscribe(
            event -> {
              if (event instanceof QueryCacheEvent.Updated u && u.action() == QueryAction.SUCCESS) {
                Optional<?> data = u.state().data();
                client.loop.execute(() -> serverData(u.key(), data));
              }
            });
  }

  /** The keys {@code m} affects, by evaluating its declarations on its variables. */
  @SuppressWarnings("unchecked")
  static Map<QueryKey, List<OptimisticUpdate<Object, Object>>> targets(RealMutation<?, ?, ?> m) {
    Map<QueryKey, List<OptimisticUpdate<Object, Object>>> out = new LinkedHashMap<>();
    for (OptimisticUpdate<?, ?> u : m.options.optimisticUpdates()) {
      OptimisticUpdate<Object, Object> update = (OptimisticUpdate<Object, Object>) u;
      QueryKey key = update.key().apply(m.variables);
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(update);
    }
    return out;
  }

  /**
   * Cancels running fetches of the affected keys, then applies {@code m}'s layers. The returned
   * future completes on the loop.
   */
  CompletableFuture<?> apply(
      RealMutation<?, ?, ?> m, Map<QueryKey, List<OptimisticUpdate<Object, Object>>> targets) {
    List<CompletableFuture<Void>> cancels = new ArrayList<>();
    for (QueryKey key : targets.keySet()) {
      cancels.add(queries.cancelQueries(QueryFilters.exact(key)));
    }
    return client
        .onLoop(CompletableFuture.allOf(cancels.toArray(new CompletableFuture<?>[0])))
        .thenRun(
            () -> {
              for (Map.Entry<QueryKey, List<OptimisticUpdate<Object, Object>>> e :
                  targets.entrySet()) {
                KeyLayers kl =
                    keys.computeIfAbsent(
                        e.getKey(), k -> new KeyLayers(queries.<Object>getQueryData(k)));
                for (OptimisticUpdate<Object, Object> update : e.getValue()) {
                  kl.layers.add(new Layer(m.id, update, m.variables));
                }
                write(e.getKey(), kl);
              }
            });
  }

  /** {@code m} succeeded: its layers stay until the next server data for their keys. */
  void commit(RealMutation<?, ?, ?> m, Iterable<QueryKey> affected) {
    for (QueryKey key : affected) {
      KeyLayers kl = keys.get(key);
      if (kl != null) {
        kl.layers.stream().filter(l -> l.mutationId == m.id).forEach(l -> l.committed = true);
      }
    }
  }

  /** {@code m} failed: removes its layers and replays the others over the base. */
  void rollback(RealMutation<?, ?, ?> m, Iterable<QueryKey> affected) {
    for (QueryKey key : affected) {
      KeyLayers kl = keys.get(key);
      if (kl == null) {
        continue;
      }
      kl.layers.removeIf(l -> l.mutationId == m.id);
      write(key, kl);
      if (kl.layers.isEmpty()) {
        keys.remove(key);
      }
    }
  }

  /** Server data landed for {@code key}: the new base; committed layers are in it now. */
  private void serverData(QueryKey key, Optional<?> data) {
    KeyLayers kl = keys.get(key);
    if (kl == null) {
      return;
    }
    kl.base = Optional.ofNullable(data.orElse(null));
    kl.layers.removeIf(l -> l.committed);
    if (kl.layers.isEmpty()) {
      keys.remove(key);
      return; // the cache already holds the server data
    }
    write(key, kl);
  }

  private void write(QueryKey key, KeyLayers kl) {
    Optional<Object> value = kl.base;
    for (Layer layer : kl.layers) {
      BiFunction<Optional<Object>, Object, Optional<Object>> updater = layer.update.updater();
      try {
        Optional<Object> next = updater.apply(value, layer.variables);
        if (next != null && next.isPresent()) {
          value = next;
        }
      } catch (RuntimeException e) {
        client.errorHandler.safeHandle(
            "optimistic updater of mutation #" + layer.mutationId + " on " + key, e);
      }
    }
    if (value.isPresent()) {
      queries.setQueryData(key, value.get());
      kl.wrote = true;
    } else if (kl.wrote) {
      // No server data and nothing left to show: back to no data.
      kl.wrote = false;
      RealMutation.ignore(queries.resetQueries(QueryFilters.exact(key)));
    }
  }

  @Override
  public void close() {
    events.close();
  }
}
