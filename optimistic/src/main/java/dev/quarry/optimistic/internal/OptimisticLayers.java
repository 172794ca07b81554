package dev.quarry.optimistic.internal;

import dev.quarry.cache.QueryAction;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFilters;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.optimistic.OptimisticUpdate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Optimistic changes as layers over the last server data, per query key.
 *
 * <p>For each key with layers it keeps the base (the last data from outside: a fetch result, a
 * value written with {@code setQueryData} by anyone but this class, or what was cached when the
 * first layer was applied) and the layers in submission order. The cached value is always the base
 * with the committed layers (those of mutations that succeeded) and then the pending layers
 * applied, each group in submission order. A failed mutation's layers are removed and the rest
 * replayed, so overlapping changes roll back independently.
 *
 * <p><b>The layering rule.</b> Data written to a layered key by anyone other than this class
 * becomes the new base: the committed layers are dropped (the data is taken as the server's, which
 * holds their changes) and the pending layers are re-applied on top of it, so a later rollback
 * keeps that data. {@link MutationClient#setQueryDataUnderLayers(QueryKey, Function)} (used by the
 * facade's {@code setQueryData}, {@code updateQueryData} and realtime bindings) hands its function
 * the base with the committed layers instead of the shown data, so that what it returns never
 * contains a pending change (the value it stores has them applied on top, and is remembered with
 * that base); a function given straight to {@link QueryClient#setQueryData(QueryKey, Function)}
 * sees the shown data and its result, pending changes included, is taken as the base. Writing back
 * a value equal to the one shown changes nothing.
 *
 * <p><b>Telling its own writes apart.</b> Cache events carry no writer, so this class remembers the
 * values it wrote whose {@code SET_DATA} event has not come back yet (in order, compared with
 * {@code equals} because the cache keeps the old instance of an equal value); any other {@code
 * SET_DATA}, {@code SUCCESS}, {@code HYDRATE} or {@code INITIAL_DATA} is data from outside. Its own
 * writes are compare-and-set: it writes only over a value it knows (the one it last wrote, or the
 * outside data it is handling), never over outside data whose event has not been handled yet, which
 * then rebases the layers when its event comes.
 *
 * <p><b>Commits racing a write.</b> A mutation may succeed while a {@link #setQueryData} function
 * runs on another thread; its change is then not in the result. So each such result is remembered
 * with the number of commits its input held, and the rebase on it drops only those committed
 * layers; later ones stay until the next outside data. (The shown value carries the pending
 * changes, so whether a function's input was shown data or the base is decided by comparing it with
 * the values this class published.)
 *
 * <p><b>Threads.</b> The layers are confined to the mutation client's loop; cache events are posted
 * onto it in their order, only for layered keys. What {@link #setQueryData} needs from other
 * threads (the values shown, the base with the committed layers, copies of the layers) is published
 * in a concurrent map before each write. Layer updaters run on the loop, and on the caller's thread
 * in {@link #setQueryData}, whose function runs there too, inside the cache's compare-and-set; none
 * under a lock. {@link #setQueryData} stores its result with the pending layers applied, and
 * remembers its base for the loop; other outside data (fetch results, writes straight to the cache)
 * is visible without the pending layers, with threaded executors, for the short time until the loop
 * re-applies them.
 */
final class OptimisticLayers implements AutoCloseable {
  private final QueryClient queries;
  private final MutationLoop loop;
  private final ErrorHandler errorHandler;
  private final Map<QueryKey, KeyLayers> keys = new HashMap<>();
  private final ConcurrentMap<QueryKey, Published> published = new ConcurrentHashMap<>();
  private final ConcurrentMap<QueryKey, Queue<Source>> sources = new ConcurrentHashMap<>();
  private final Registration events;

  private static final class Layer {
    final long mutationId;
    final OptimisticUpdate<Object, Object> update;
    final Object variables;
    boolean committed;

    /** The key's commit count when this layer was committed (0 while pending). */
    long commitSeq;

    Layer(long mutationId, OptimisticUpdate<Object, Object> update, Object variables) {
      this.mutationId = mutationId;
      this.update = update;
      this.variables = variables;
    }

    Step step() {
      return new Step(mutationId, update, variables, commitSeq);
    }
  }

  /** An immutable copy of a layer, for other threads. */
  private record Step(
      long mutationId, OptimisticUpdate<Object, Object> update, Object variables, long commitSeq) {}

  private static final class KeyLayers {
    Optional<Object> base;
    final List<Layer> layers = new ArrayList<>();

    /** The value the cache holds as far as the loop knows (last written, or the base read). */
    Optional<Object> shown;

    /** Values written whose SET_DATA event has not been handled yet, oldest first. */
    final Deque<Object> inFlight = new ArrayDeque<>();

    boolean wrote;

    /** How many commits this key has seen. */
    long commits;

    KeyLayers(Optional<Object> base) {
      this.base = base;
      this.shown = base;
    }
  }

  /**
   * What other threads read: the values this class may have put in the cache, and the base with the
   * committed layers that a {@link #setQueryData} function gets instead of one of them.
   */
  private record Published(
      List<Object> shown,
      Optional<Object> settled,
      long commits,
      List<Step> committed,
      List<Step> pending) {
    boolean shows(Object value) {
      for (Object s : shown) {
        if (s == value || s.equals(value)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * A value {@link #setQueryData} stored: {@code base} (computed from the base with the first
   * {@code commits} commits) with the pending layers applied.
   */
  private record Source(Object value, Object base, long commits) {}

  private enum Outcome {
    WROTE,
    ALREADY_SHOWN,
    SKIPPED
  }

  OptimisticLayers(QueryClient queries, MutationLoop loop, ErrorHandler errorHandler) {
    this.queries = queries;
    this.loop = loop;
    this.errorHandler = errorHandler;
    this.events =
        queries.subscribe(
            event -> {
              // Only layered keys: a key is published before its base is read, so data that
              // lands before that is in the base, and the event of anything later passes here.
              if (event instanceof QueryCacheEvent.Updated u
                  && carriesData(u.action())
                  && published.containsKey(u.key())) {
                Optional<?> data = u.state().data();
                loop.execute(() -> outsideData(u.key(), u.action(), data));
              } else if (event instanceof QueryCacheEvent.Removed r
                  && published.containsKey(r.key())) {
                loop.execute(() -> removed(r.key()));
              }
            });
  }

  private static boolean carriesData(QueryAction action) {
    return switch (action) {
      case SUCCESS, SET_DATA, HYDRATE, INITIAL_DATA -> true;
      default -> false;
    };
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
    return loop.onLoop(CompletableFuture.allOf(cancels.toArray(new CompletableFuture<?>[0])))
        .thenRun(
            () -> {
              for (Map.Entry<QueryKey, List<OptimisticUpdate<Object, Object>>> e :
                  targets.entrySet()) {
                KeyLayers kl =
                    keys.computeIfAbsent(
                        e.getKey(),
                        k -> {
                          published.put(
                              k,
                              new Published(List.of(), Optional.empty(), 0, List.of(), List.of()));
                          return new KeyLayers(queries.<Object>getQueryData(k));
                        });
                for (OptimisticUpdate<Object, Object> update : e.getValue()) {
                  kl.layers.add(new Layer(m.id, update, m.variables));
                }
                write(e.getKey(), kl, Optional.empty());
              }
            });
  }

  /**
   * {@code m} succeeded: its layers stay, now counted with the base, until the next data from
   * outside for their keys.
   */
  void commit(RealMutation<?, ?, ?> m, Iterable<QueryKey> affected) {
    for (QueryKey key : affected) {
      KeyLayers kl = keys.get(key);
      if (kl != null) {
        long seq = ++kl.commits;
        for (Layer l : kl.layers) {
          if (l.mutationId == m.id) {
            l.committed = true;
            l.commitSeq = seq;
          }
        }
        publish(key, kl, settled(key, kl), Optional.empty());
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
      if (write(key, kl, Optional.empty()) && kl.layers.isEmpty()) {
        forget(key);
      }
    }
  }

  /**
   * {@link QueryClient#setQueryData(QueryKey, Function)} with {@code updater} applied to the base
   * and committed layers when the cache shows a layered value; any thread.
   */
  @SuppressWarnings("unchecked")
  <T> Optional<T> setQueryData(QueryKey key, Function<Optional<T>, Optional<T>> updater) {
    return queries.<T>setQueryData(
        key,
        current -> {
          Published p = published.get(key);
          if (p == null || current.isEmpty()) {
            return updater.apply(current);
          }
          Optional<Object> input;
          long holds;
          Optional<Source> earlier;
          if (p.shows(current.get())) {
            input = p.settled();
            holds = p.commits();
          } else if ((earlier = sourceOf(key, current.get())).isPresent()) {
            // Stored by another setQueryData whose event the loop has not handled yet: its base,
            // with the commits made since.
            input = Optional.of(earlier.get().base());
            for (Step step : p.committed()) {
              if (step.commitSeq() > earlier.get().commits()) {
                input = applyStep(key, input, step);
              }
            }
            holds = p.commits();
          } else {
            // Data from outside whose event the loop has not handled yet: taken as the server's.
            input = (Optional<Object>) current;
            holds = Long.MAX_VALUE;
          }
          Optional<T> base = updater.apply((Optional<T>) input);
          if (base.isEmpty()) {
            return base;
          }
          // Shown at once with the pending changes on top: no moment without them.
          Optional<Object> shown = Optional.of(base.get());
          for (Step step : p.pending()) {
            shown = applyStep(key, shown, step);
          }
          // Remembered with the commits its input held: a commit made while it was computed is
          // not in it, and must outlive the rebase on it.
          sources
              .computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>())
              .add(new Source(shown.get(), base.get(), holds));
          return (Optional<T>) shown;
        });
  }

  /** Data from outside landed for {@code key} (or one of this class's writes came back). */
  private void outsideData(QueryKey key, QueryAction action, Optional<?> data) {
    KeyLayers kl = keys.get(key);
    if (kl == null) {
      return;
    }
    @SuppressWarnings("unchecked")
    Optional<Object> value = (Optional<Object>) data;
    if (action != QueryAction.SUCCESS) {
      if (echoed(kl, value)) {
        return; // one of ours
      }
      if (same(value, kl.shown)) {
        return; // the shown data written back: nothing changes
      }
    }
    Optional<Source> source =
        action == QueryAction.SUCCESS ? Optional.empty() : takeSource(key, value);
    long holds = source.map(Source::commits).orElse(Long.MAX_VALUE);
    kl.base = source.isPresent() ? Optional.of(source.get().base()) : value;
    kl.layers.removeIf(l -> l.committed && l.commitSeq <= holds);
    if (kl.layers.isEmpty() && source.isEmpty()) {
      forget(key);
      return; // the cache already holds the new data
    }
    // A setQueryData result carries the pending layers of its time: shown again if they changed.
    if (write(key, kl, value) && kl.layers.isEmpty()) {
      forget(key);
    }
  }

  /**
   * The query was removed (gc, {@code removeQueries}): committed layers have nothing left to wait
   * for; pending ones stay for the data that may come while their mutation runs.
   */
  private void removed(QueryKey key) {
    KeyLayers kl = keys.get(key);
    if (kl == null) {
      return;
    }
    kl.layers.removeIf(l -> l.committed);
    if (kl.layers.isEmpty()) {
      forget(key);
    }
  }

  /** Whether {@code key} has layers (for tests). */
  boolean isLayered(QueryKey key) {
    return published.containsKey(key);
  }

  /** Whether {@code value} is one of our in-flight writes; drops it and any older ones. */
  private static boolean echoed(KeyLayers kl, Optional<Object> value) {
    if (value.isEmpty()) {
      return false;
    }
    int i = 0;
    for (Object v : kl.inFlight) {
      if (v == value.get() || v.equals(value.get())) {
        // Older entries whose events never came (the query was removed meanwhile) go too.
        for (int n = 0; n <= i; n++) {
          kl.inFlight.removeFirst();
        }
        return true;
      }
      i++;
    }
    return false;
  }

  private Optional<Source> sourceOf(QueryKey key, Object value) {
    Queue<Source> queue = sources.get(key);
    if (queue != null) {
      for (Source source : queue) {
        if (source.value() == value || source.value().equals(value)) {
          return Optional.of(source);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The {@link #setQueryData} record of {@code value} (its base and the commits it holds), if it
   * was stored by one; other data is the server's, holding every commit.
   */
  private Optional<Source> takeSource(QueryKey key, Optional<Object> value) {
    Queue<Source> queue = sources.get(key);
    Optional<Source> found = value.isEmpty() ? Optional.empty() : sourceOf(key, value.get());
    if (queue == null || found.isEmpty()) {
      return Optional.empty();
    }
    // Older entries were results never stored (the function ran again) or already handled. This
    // one stays: a function on another thread may still get this value as the shown data.
    Source head;
    while ((head = queue.peek()) != null && head != found.get()) {
      queue.remove(head);
    }
    return found;
  }

  private void forget(QueryKey key) {
    keys.remove(key);
    published.remove(key);
    sources.remove(key);
  }

  private Optional<Object> applyLayers(
      QueryKey key, Optional<Object> start, KeyLayers kl, boolean committed) {
    Optional<Object> value = start;
    for (Layer layer : kl.layers) {
      if (layer.committed == committed) {
        value = applyStep(key, value, layer.step());
      }
    }
    return value;
  }

  /** One layer's updater; a throw is reported and leaves the value as it was. */
  private Optional<Object> applyStep(QueryKey key, Optional<Object> value, Step step) {
    BiFunction<Optional<Object>, Object, Optional<Object>> updater = step.update().updater();
    try {
      Optional<Object> next = updater.apply(value, step.variables());
      if (next != null && next.isPresent()) {
        return next;
      }
    } catch (RuntimeException e) {
      errorHandler.safeHandle(
          "optimistic updater of mutation #" + step.mutationId() + " on " + key, e);
    }
    return value;
  }

  private Optional<Object> settled(QueryKey key, KeyLayers kl) {
    return applyLayers(key, kl.base, kl, true);
  }

  private void publish(
      QueryKey key, KeyLayers kl, Optional<Object> settled, Optional<Object> extra) {
    List<Object> shown = new ArrayList<>(kl.inFlight);
    kl.shown.ifPresent(shown::add);
    // The base itself lacks only the committed layers, which settled adds.
    kl.base.ifPresent(shown::add);
    extra.ifPresent(shown::add);
    List<Step> committed = new ArrayList<>();
    List<Step> pending = new ArrayList<>();
    for (Layer layer : kl.layers) {
      (layer.committed ? committed : pending).add(layer.step());
    }
    published.put(
        key,
        new Published(
            List.copyOf(shown), settled, kl.commits, List.copyOf(committed), List.copyOf(pending)));
  }

  /**
   * Shows base + committed + pending layers, if the cache holds {@code kl.shown} or {@code
   * handling} (the outside data being handled); otherwise an outside write's event is still to come
   * and will rebase the layers.
   *
   * @return whether the cache shows the layers now: false if the write was skipped, and then the
   *     key must stay known (even without layers) until that event comes, which may bring a {@code
   *     setQueryData} value with layers of its time to take off
   */
  private boolean write(QueryKey key, KeyLayers kl, Optional<Object> handling) {
    Optional<Object> settled = settled(key, kl);
    Optional<Object> value = applyLayers(key, settled, kl, false);
    if (value.isEmpty()) {
      publish(key, kl, settled, Optional.empty());
      if (kl.wrote && same(queries.getQueryData(key), kl.shown)) {
        // No server data and nothing left to show: back to no data.
        kl.wrote = false;
        kl.shown = Optional.empty();
        RealMutation.ignore(queries.resetQueries(QueryFilters.exact(key)));
      }
      return true;
    }
    Object next = value.get();
    // Published first: a setQueryData on another thread may see the value as soon as it is stored.
    publish(key, kl, settled, value);
    Optional<Object> expected = kl.shown;
    Outcome[] outcome = {Outcome.SKIPPED};
    queries.<Object>setQueryData(
        key,
        current -> {
          if (!same(current, expected) && !(handling.isPresent() && same(current, handling))) {
            outcome[0] = Outcome.SKIPPED;
            return Optional.empty();
          }
          if (same(current, value)) {
            outcome[0] = Outcome.ALREADY_SHOWN;
            return Optional.empty();
          }
          outcome[0] = Outcome.WROTE;
          return value;
        });
    switch (outcome[0]) {
      case WROTE -> {
        kl.inFlight.addLast(next);
        kl.shown = value;
        kl.wrote = true;
      }
      case ALREADY_SHOWN -> kl.shown = value;
      case SKIPPED -> {}
    }
    publish(key, kl, settled, Optional.empty());
    return outcome[0] != Outcome.SKIPPED;
  }

  private static boolean same(Optional<?> a, Optional<?> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() && b.isEmpty();
    }
    return a.get() == b.get() || a.get().equals(b.get());
  }

  @Override
  public void close() {
    events.close();
    published.clear();
    sources.clear();
  }
}
