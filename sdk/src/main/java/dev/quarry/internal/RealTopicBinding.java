package dev.quarry.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.TopicBinding;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** A topic's cache rules and its live subscription; see {@link TopicBinding}. */
public final class RealTopicBinding implements TopicBinding {
  private final Topic topic;
  private final QueryClient queries;
  private final MutationClient writer;
  private final RealtimeMonitor realtime;
  private final ObjectMapper mapper;
  private final ErrorHandler errorHandler;
  private final RefetchCoalescer refetches;
  private final Consumer<RealTopicBinding> onClose;
  private final CopyOnWriteArrayList<Rule> rules = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<QueryKey> bound = new CopyOnWriteArrayList<>();
  private final AtomicInteger holds = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private @Nullable TopicSubscription subscription;
  private volatile Duration minRefetchInterval = DEFAULT_MIN_REFETCH_INTERVAL;

  private record Rule(String event, Consumer<TopicEvent.Message> action) {}

  /**
   * Creates a binding; {@code onClose} is told when it closes. Its rules write through {@code
   * writer}, so that server data lands under pending optimistic changes (their new base); its
   * invalidations go through {@code refetches}, shared by the facade's bindings.
   */
  public RealTopicBinding(
      Topic topic,
      QueryClient queries,
      MutationClient writer,
      RealtimeMonitor realtime,
      ObjectMapper mapper,
      ErrorHandler errorHandler,
      RefetchCoalescer refetches,
      Consumer<RealTopicBinding> onClose) {
    this.topic = topic;
    this.queries = queries;
    this.writer = writer;
    this.realtime = realtime;
    this.mapper = mapper;
    this.errorHandler = errorHandler;
    this.refetches = refetches;
    this.onClose = onClose;
  }

  @Override
  public Topic topic() {
    return topic;
  }

  @Override
  public <E, T> TopicBinding update(
      String event, Class<E> type, QueryKey key, BiFunction<T, ? super E, ? extends T> update) {
    rules.add(
        new Rule(
            event,
            m -> {
              E payload = mapper.convertValue(m.payload(), type);
              writer.<T>setQueryDataUnderLayers(key, old -> old.map(o -> update.apply(o, payload)));
            }));
    bind(key);
    return this;
  }

  @Override
  public <E> TopicBinding append(String event, Class<E> type, QueryKey key) {
    rules.add(
        new Rule(
            event,
            m -> {
              E payload = mapper.convertValue(m.payload(), type);
              writer.<List<E>>setQueryDataUnderLayers(
                  key,
                  old ->
                      old.map(
                          list -> {
                            List<E> next = new ArrayList<>(list.size() + 1);
                            next.addAll(list);
                            next.add(payload);
                            return List.copyOf(next);
                          }));
            }));
    bind(key);
    return this;
  }

  @Override
  public TopicBinding invalidate(String event, QueryKey... prefixes) {
    List<QueryKey> keys = List.of(prefixes);
    rules.add(
        new Rule(
            event,
            m -> {
              for (QueryKey k : keys) {
                invalidate(k);
              }
            }));
    for (QueryKey k : keys) {
      bind(k);
    }
    return this;
  }

  @Override
  public TopicBinding minRefetchInterval(Duration interval) {
    Objects.requireNonNull(interval, "minRefetchInterval");
    if (interval.isNegative()) {
      throw new IllegalArgumentException(
          "minRefetchInterval must not be negative but was " + interval);
    }
    this.minRefetchInterval = interval;
    return this;
  }

  @Override
  public Duration minRefetchInterval() {
    return minRefetchInterval;
  }

  @Override
  public TopicBinding live(QueryKey... prefixes) {
    for (QueryKey k : prefixes) {
      bind(k);
    }
    return this;
  }

  private void bind(QueryKey key) {
    bound.addIfAbsent(key);
    reevaluate();
  }

  @Override
  public Registration hold() {
    holds.incrementAndGet();
    reevaluate();
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        holds.decrementAndGet();
        reevaluate();
      }
    };
  }

  @Override
  public synchronized boolean isSubscribed() {
    return subscription != null;
  }

  /** Whether a cache event about {@code key} may change whether the topic should be subscribed. */
  public boolean concerns(QueryCacheEvent event) {
    if (!(event instanceof QueryCacheEvent.ObserverAdded
        || event instanceof QueryCacheEvent.ObserverRemoved
        || event instanceof QueryCacheEvent.Removed)) {
      return false;
    }
    for (QueryKey k : bound) {
      if (event.key().matches(k)) {
        return true;
      }
    }
    return false;
  }

  /** Subscribes or unsubscribes to match the current observers and holds. */
  public void reevaluate() {
    TopicSubscription toClose = null;
    synchronized (this) {
      // Decided under the lock so that two concurrent re-evaluations cannot apply a stale answer.
      boolean wanted = !closed.get() && (holds.get() > 0 || observed());
      if (wanted && subscription == null) {
        TopicSubscription sub = realtime.subscribe(topic);
        sub.listen(this::onTopicEvent);
        subscription = sub;
      } else if (!wanted && subscription != null) {
        toClose = subscription;
        subscription = null;
      }
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  private boolean observed() {
    if (bound.isEmpty()) {
      return false;
    }
    for (QuerySnapshot q : queries.snapshot()) {
      if (q.observerCount() > 0) {
        for (QueryKey k : bound) {
          if (q.key().matches(k)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Invalidates, coalesced per query (see {@link TopicBinding#minRefetchInterval(Duration)}). */
  private void invalidate(QueryKey prefix) {
    refetches.invalidate(prefix, minRefetchInterval);
  }

  private void onTopicEvent(TopicEvent event) {
    if (closed.get()) {
      return;
    }
    if (event instanceof TopicEvent.Gap) {
      for (QueryKey k : bound) {
        invalidate(k);
      }
      return;
    }
    TopicEvent.Message m = (TopicEvent.Message) event;
    for (Rule rule : rules) {
      if (rule.event().equals(m.event())) {
        try {
          rule.action().accept(m);
        } catch (RuntimeException e) {
          errorHandler.safeHandle(
              "binding of topic " + topic.name() + " " + topic.params() + " on " + m.event(), e);
        }
      }
    }
  }

  /** The keys bound so far. */
  public List<QueryKey> boundKeys() {
    return List.copyOf(bound);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      rules.clear();
      reevaluate();
      onClose.accept(this);
    }
  }

  @Override
  public String toString() {
    return "TopicBinding{" + topic.name() + " " + topic.params() + ", keys=" + bound + "}";
  }
}
