package dev.quarry.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.TopicBinding;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.core.Scheduler;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.realtime.Topic;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Every topic binding and binding template of one facade, with what they share: the live-query
 * wiring (observers coming and going decide whether a bound topic is subscribed) and the refetch
 * coalescer of their invalidations.
 *
 * <p>Thread-safe. Cache events are handled on the callback executor. {@link #close()} closes every
 * binding and template and stops the wiring; after it {@link #bind} and {@link #bindEach} throw
 * {@link IllegalStateException}. Idempotent.
 */
public final class Bindings implements AutoCloseable {
  private final QueryClient queries;
  private final MutationClient writer;
  private final RealtimeMonitor realtime;
  private final ObjectMapper mapper;
  private final ErrorHandler errorHandler;
  private final RefetchCoalescer refetches;
  private final CopyOnWriteArrayList<RealTopicBinding> bindings = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Registration> templates = new CopyOnWriteArrayList<>();
  private final Registration liveQueries;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Starts the live-query wiring on {@code queries}; bindings write server data through {@code
   * writer} so that it lands under pending optimistic changes.
   */
  public Bindings(
      QueryClient queries,
      MutationClient writer,
      RealtimeMonitor realtime,
      ObjectMapper mapper,
      Clock clock,
      Scheduler scheduler,
      ErrorHandler errorHandler) {
    this.queries = queries;
    this.writer = writer;
    this.realtime = realtime;
    this.mapper = mapper;
    this.errorHandler = errorHandler;
    this.refetches = new RefetchCoalescer(queries, clock, scheduler, errorHandler);
    this.liveQueries = queries.subscribe(this::onCacheEvent);
  }

  private void onCacheEvent(QueryCacheEvent event) {
    for (RealTopicBinding binding : bindings) {
      if (binding.concerns(event)) {
        binding.reevaluate();
      }
    }
  }

  /** A new binding of {@code topic}; see {@code Quarry.bind}. */
  public TopicBinding bind(Topic topic) {
    requireOpen();
    RealTopicBinding binding =
        new RealTopicBinding(
            topic, queries, writer, realtime, mapper, errorHandler, refetches, bindings::remove);
    bindings.add(binding);
    return binding;
  }

  /**
   * A template of bindings for the keys under {@code prefix}; see {@code Quarry.bindEach}. Keys
   * under the prefix that are observed already are bound at once, as if their observers had just
   * come.
   */
  public Registration bindEach(
      QueryKey prefix,
      Function<QueryKey, Optional<Topic>> topicOf,
      BiConsumer<Topic, TopicBinding> rules) {
    requireOpen();
    BindingTemplate template =
        new BindingTemplate(prefix, topicOf, rules, this::bind, errorHandler);
    Registration events = queries.subscribe(template::onCacheEvent);
    Registration[] handle = new Registration[1];
    handle[0] =
        () -> {
          templates.remove(handle[0]);
          events.close();
          template.close();
        };
    templates.add(handle[0]);
    // Replay: observers that came before the template are reported as if they had just come.
    for (QuerySnapshot q : queries.snapshot()) {
      if (q.observerCount() > 0 && q.key().matches(prefix)) {
        template.onCacheEvent(new QueryCacheEvent.ObserverAdded(q.key()));
      }
    }
    return handle[0];
  }

  /** The bindings open now, in the order they were made. */
  public List<TopicBinding> all() {
    return List.copyOf(bindings);
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this Quarry is closed: no new topic bindings");
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    liveQueries.close();
    for (Registration template : List.copyOf(templates)) {
      template.close();
    }
    for (RealTopicBinding b : List.copyOf(bindings)) {
      b.close();
    }
    refetches.close();
  }
}
