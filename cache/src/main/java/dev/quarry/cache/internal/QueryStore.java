package dev.quarry.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QueryState;
import dev.quarry.core.QueryKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The queries of one client, on Caffeine. Optionally bounded: a query weighs 0 while it is observed
 * or fetching ("pinned") and 1 otherwise, and is re-weighed whenever that changes, so the bound
 * never evicts a pinned query. Caffeine runs its maintenance on the calling thread; evicted queries
 * are queued and finished outside Caffeine's callbacks.
 */
final class QueryStore {
  private final RealQueryClient client;
  private final Cache<QueryKey, Query<?>> cache;
  private final boolean bounded;
  private final ConcurrentLinkedQueue<Query<?>> evicted = new ConcurrentLinkedQueue<>();
  private final AtomicLong sequence = new AtomicLong();

  /**
   * The data of every query that has some, by key: the same {@code Optional} instances as in the
   * queries' states. {@code getQueryData} is then one lookup that ends at the data, as a read of
   * raw Caffeine does, instead of one that ends at the query and loads two more objects from it.
   * Written by a query under its lock (see {@link Query}); a removed query's entry is replaced by
   * the data of the query that now holds its key, if any.
   */
  private final ConcurrentHashMap<QueryKey, Optional<?>> data = new ConcurrentHashMap<>();

  QueryStore(RealQueryClient client, long maximumSize) {
    this.client = client;
    this.bounded = maximumSize >= 0;
    Caffeine<Object, Object> builder = Caffeine.newBuilder().executor(Runnable::run);
    if (bounded) {
      builder
          .maximumWeight(maximumSize)
          .weigher((Object k, Object v) -> ((Query<?>) v).isPinned() ? 0 : 1);
    }
    this.cache =
        builder
            .<QueryKey, Query<?>>removalListener(
                (k, q, cause) -> {
                  if (cause.wasEvicted() && q != null) {
                    evicted.add(q);
                  }
                })
            .build();
  }

  long size() {
    return cache.estimatedSize();
  }

  /** Re-weighs a query whose pinned state changed. */
  void repin(Query<?> q) {
    if (bounded) {
      cache.asMap().computeIfPresent(q.key, (k, v) -> v);
      drainEvictions();
    }
  }

  /** Removes {@code q} if it is still the stored query for its key. */
  <T> void remove(Query<T> q) {
    q.remove(self -> cache.asMap().remove(self.key, self));
  }

  private void drainEvictions() {
    Query<?> q;
    while ((q = evicted.poll()) != null) {
      if (q.isPinned()) {
        // Pinned after Caffeine picked it: put it back rather than lose an observed query.
        cache.asMap().putIfAbsent(q.key, q);
      } else {
        q.remove(self -> {});
      }
    }
  }

  /** The data cached for {@code key}; no lock, no allocation. */
  @SuppressWarnings("unchecked")
  <T> Optional<T> data(QueryKey key) {
    Optional<?> d = data.get(key);
    return d == null ? Optional.empty() : (Optional<T>) d;
  }

  void indexData(Query<?> q, Optional<?> d) {
    if (d.isPresent()) {
      data.put(q.key, d);
    } else {
      data.remove(q.key);
    }
  }

  /**
   * {@code gone} was removed (or evicted): its key's entry becomes the data of the query stored for
   * the key now, if another one is, or leaves. Writes of that query that raced with this one are
   * not lost: it read its state, which it writes before its entry.
   */
  void unindexData(Query<?> gone) {
    data.computeIfPresent(
        gone.key,
        (k, v) -> {
          Query<?> live = cache.getIfPresent(k);
          if (live == null || live == gone) {
            return null;
          }
          Optional<?> d = live.data();
          return d.isPresent() ? d : null;
        });
  }

  @SuppressWarnings("unchecked")
  <T> @Nullable Query<T> find(QueryKey key) {
    return (Query<T>) cache.getIfPresent(key);
  }

  /**
   * The query for {@code key}, created with {@code initial} (computed here, outside any lock, only
   * if the query does not exist yet). The gcTime is offered to an existing query (max wins).
   */
  @SuppressWarnings("unchecked")
  <T> Query<T> getOrCreate(
      QueryKey key, Resolved settings, Supplier<QueryState<T>> initial, boolean infinite) {
    Query<T> existing = (Query<T>) cache.getIfPresent(key);
    if (existing != null) {
      existing.observeGcTime(settings.gcTime());
      return existing;
    }
    Query<T> created =
        new Query<>(
            client, key, initial.get(), settings.gcTime(), infinite, sequence.incrementAndGet());
    Query<?> raced = created.publish(self -> cache.asMap().putIfAbsent(key, self));
    if (raced != null) {
      raced.observeGcTime(settings.gcTime());
      return (Query<T>) raced;
    }
    client.pipeline().flush();
    drainEvictions();
    return created;
  }

  /** Every query, in insertion order. */
  List<Query<?>> all() {
    List<Query<?>> list = new ArrayList<>(cache.asMap().values());
    list.sort(Comparator.comparingLong(q -> q.sequence));
    return list;
  }

  /** The queries matching {@code f}, in insertion order; the predicate runs on this thread. */
  List<Query<?>> findAll(QueryFilters f) {
    List<Query<?>> out = new ArrayList<>();
    for (Query<?> q : all()) {
      if (matches(q, f)) {
        out.add(q);
      }
    }
    return out;
  }

  private static boolean matches(Query<?> q, QueryFilters f) {
    if (!f.matchesKey(q.key)) {
      return false;
    }
    if (f.type() != QueryFilters.Type.ALL
        && QueryViews.isActive(q) != (f.type() == QueryFilters.Type.ACTIVE)) {
      return false;
    }
    if (f.stale().isPresent() && QueryViews.isStale(q) != f.stale().get()) {
      return false;
    }
    if (f.fetchStatus().isPresent() && q.state().fetchStatus() != f.fetchStatus().get()) {
      return false;
    }
    return f.predicate().map(p -> p.test(QueryViews.snapshot(q))).orElse(true);
  }
}
