package dev.quarry.micrometer;

import dev.quarry.Quarry;
import dev.quarry.cache.QueryAction;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.cache.QueryStatsListener;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationCacheEvent;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationInfo;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * A Micrometer {@link MeterBinder} for a {@link Quarry} facade: meters named {@code quarry.*}, fed
 * by the facade's cache, mutation and connection events and read from its parts when a registry
 * asks.
 *
 * <pre>{@code
 * QuarryMetrics metrics = QuarryMetrics.builder(quarry)
 *     .tags(Tags.of("app", "studio-bff"))
 *     .outboxFile(dataDir.resolve("outbox.mv"))       // the file of Quarry.builder().persistence(dataDir)
 *     .countEvents("agent-event", "notification")
 *     .build();
 * metrics.bindTo(registry);
 * ...
 * metrics.close();                                      // before or with quarry.close()
 * }</pre>
 *
 * <h2>Meters</h2>
 *
 * <table>
 *   <caption>Meters and their tags</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code quarry.query.fetch}</td><td>timer</td><td>key, outcome</td>
 *       <td>fetches from start to end (retry delays and pauses included); outcome {@code success},
 *       {@code error} (the last attempt failed) or {@code cancelled}</td></tr>
 *   <tr><td>{@code quarry.query.hits}</td><td>counter</td><td>key</td>
 *       <td>reads answered from the cache without a fetch ({@code fetch} of fresh data, {@code
 *       ensureQueryData} of cached data)</td></tr>
 *   <tr><td>{@code quarry.query.retries}</td><td>counter</td><td>key</td>
 *       <td>failed attempts that will be retried</td></tr>
 *   <tr><td>{@code quarry.stream.chunks}</td><td>counter</td><td>key</td>
 *       <td>chunks received by streamed queries ({@link dev.quarry.cache.StreamedQuery}), one per
 *       chunk folded, in every refetch mode</td></tr>
 *   <tr><td>{@code quarry.stream.resumes}</td><td>counter</td><td>key</td>
 *       <td>stream connections opened again within a fetch attempt to resume where they broke
 *       ({@link dev.quarry.cache.SseSource} with {@code Last-Event-ID})</td></tr>
 *   <tr><td>{@code quarry.queries}</td><td>gauge</td><td></td><td>queries in the cache</td></tr>
 *   <tr><td>{@code quarry.queries.observed}</td><td>gauge</td><td></td>
 *       <td>queries with at least one observer</td></tr>
 *   <tr><td>{@code quarry.queries.fetching}</td><td>gauge</td><td></td>
 *       <td>queries fetching now</td></tr>
 *   <tr><td>{@code quarry.mutations}</td><td>counter</td><td>key, outcome</td>
 *       <td>settled mutations; outcome {@code success} or {@code error} (an error rolls back the
 *       mutation's optimistic changes, if it has any)</td></tr>
 *   <tr><td>{@code quarry.mutation.rollbacks}</td><td>counter</td><td>key</td>
 *       <td>failed mutations whose optimistic changes were rolled back</td></tr>
 *   <tr><td>{@code quarry.mutation.retries}</td><td>counter</td><td>key</td>
 *       <td>failed attempts that will be retried (a persistent mutation pausing counts too)</td></tr>
 *   <tr><td>{@code quarry.mutations.pending}</td><td>gauge</td><td></td>
 *       <td>mutations not settled, paused ones included</td></tr>
 *   <tr><td>{@code quarry.mutations.paused}</td><td>gauge</td><td></td>
 *       <td>pending mutations waiting for the network, their scope or a retry</td></tr>
 *   <tr><td>{@code quarry.outbox.pending}</td><td>gauge</td><td></td>
 *       <td>outbox records not yet settled</td></tr>
 *   <tr><td>{@code quarry.outbox.set.aside}</td><td>gauge</td><td></td>
 *       <td>outbox records set aside because they could not be restored (an operator must look at
 *       them)</td></tr>
 *   <tr><td>{@code quarry.outbox.size}</td><td>gauge (bytes)</td><td></td>
 *       <td>the outbox's size on disk (its file and mark), when the facade has an outbox or
 *       {@link Builder#outboxFile} is given</td></tr>
 *   <tr><td>{@code quarry.realtime.state}</td><td>gauge</td><td>state</td>
 *       <td>1 for the connection's current {@link ConnectionState}, 0 for the others</td></tr>
 *   <tr><td>{@code quarry.realtime.topics}</td><td>gauge</td><td></td>
 *       <td>topics subscribed</td></tr>
 *   <tr><td>{@code quarry.realtime.reconnects}</td><td>counter</td><td>recovered</td>
 *       <td>reconnects; {@code recovered=true}: the server restored the session, {@code false}: a
 *       gap (events may have been missed, bound queries refetch)</td></tr>
 *   <tr><td>{@code quarry.realtime.reconnect.attempts}</td><td>counter</td><td></td>
 *       <td>reconnect attempts scheduled after a lost connection</td></tr>
 *   <tr><td>{@code quarry.realtime.events}</td><td>counter</td><td>event</td>
 *       <td>events received, for the names given to {@link Builder#countEvents}</td></tr>
 *   <tr><td>{@code quarry.realtime.events.received}</td><td>function counter</td><td></td>
 *       <td>every event received, whatever its name and whether a listener wanted it</td></tr>
 *   <tr><td>{@code quarry.realtime.events.dropped}</td><td>function counter</td><td></td>
 *       <td>events dropped because the callback queue was full (listeners fell behind)</td></tr>
 *   <tr><td>{@code quarry.realtime.callback.queue}</td><td>gauge</td><td></td>
 *       <td>events waiting for their listeners now</td></tr>
 *   <tr><td>{@code quarry.realtime.callback.queue.size}</td><td>gauge (bytes)</td><td></td>
 *       <td>those events' payload bytes</td></tr>
 * </table>
 *
 * <p>Realtime meters exist only if the facade has a realtime connection. {@link QuarryErrorMetrics}
 * adds {@code quarry.errors}. Keys become tags through {@link KeyTags} (default: the key's first
 * part; a mutation without a key is {@code none}), so the number of series stays bounded.
 *
 * <p><b>Timing.</b> Fetch durations are measured by the cache with the facade's clock where each
 * fetch starts and ends ({@link dev.quarry.cache.QueryStatsListener}), so a callback executor that
 * is behind delays the recording but does not change the figure.
 *
 * <p><b>Threads, lifecycle, errors.</b> Thread-safe. {@link #bindTo} may be called for several
 * registries; the first call subscribes to the facade's events (listeners run on its callback
 * executor, and only update meters). Gauges read the facade when the registry asks (from the
 * registry's thread, without a Quarry lock); a gauge read after the facade closed, or that fails,
 * gives {@code NaN}. {@link #close()} ends the subscriptions (idempotent); meters stay registered
 * until the registry drops them. Nothing here throws at record time.
 */
public final class QuarryMetrics implements MeterBinder, AutoCloseable {
  private final Quarry quarry;
  private final KeyTags keyTags;
  private final Tags tags;
  private final @Nullable Path outboxFile;
  private final List<String> countedEvents;

  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  private final List<Registration> subscriptions = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private boolean subscribed;
  private boolean closed;

  private QuarryMetrics(Builder b) {
    this.quarry = b.quarry;
    this.keyTags = b.keyTags;
    this.tags = b.tags;
    this.outboxFile = b.outboxFile;
    this.countedEvents = List.copyOf(b.countedEvents);
  }

  /** A builder for meters of {@code quarry}. */
  public static Builder builder(Quarry quarry) {
    return new Builder(Objects.requireNonNull(quarry, "quarry"));
  }

  /** Meters of {@code quarry} with the defaults: key tags by first part, no common tags. */
  public static QuarryMetrics of(Quarry quarry) {
    return builder(quarry).build();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("QuarryMetrics was closed; make a new one to bind");
      }
      registries.add(registry);
      if (!subscribed) {
        subscribed = true;
        subscribe();
      }
    }
    gauge(
        registry,
        "quarry.queries",
        "queries in the cache",
        m -> m.quarry.queries().snapshot().size());
    gauge(
        registry,
        "quarry.queries.observed",
        "queries with at least one observer",
        m -> countObserved(m.quarry.queries().snapshot()));
    gauge(
        registry,
        "quarry.queries.fetching",
        "queries fetching now",
        m -> m.quarry.queries().isFetching(QueryFilters.all()));
    gauge(
        registry,
        "quarry.mutations.pending",
        "mutations not settled, paused ones included",
        m -> m.quarry.mutations().isMutating());
    gauge(
        registry,
        "quarry.mutations.paused",
        "pending mutations waiting for the network, their scope or a retry",
        m -> countPaused(m.quarry.mutations().findAll(MutationFilters.all())));
    gauge(
        registry,
        "quarry.outbox.pending",
        "outbox records not yet settled",
        m -> m.quarry.mutations().outboxRecords().size());
    gauge(
        registry,
        "quarry.outbox.set.aside",
        "outbox records set aside because they could not be restored",
        m -> m.quarry.mutations().setAsideRecords().size());
    Path file = outboxFile;
    if (file != null || quarry.mutations().outboxSizeOnDisk().isPresent()) {
      ToDoubleFunction<QuarryMetrics> size =
          file != null
              ? m -> fileSize(file)
              : m -> {
                OptionalLong bytes = m.quarry.mutations().outboxSizeOnDisk();
                return bytes.isPresent() ? bytes.getAsLong() : Double.NaN;
              };
      Gauge.builder("quarry.outbox.size", this, m -> m.read(size))
          .description("the outbox's size on disk")
          .baseUnit("bytes")
          .tags(tags)
          .strongReference(true)
          .register(registry);
    }
    if (quarry.hasRealtime()) {
      for (ConnectionState state : ConnectionState.values()) {
        Gauge.builder(
                "quarry.realtime.state",
                this,
                m -> m.quarry.isClosed() ? Double.NaN : m.realtimeState() == state ? 1 : 0)
            .description("1 for the realtime connection's current state, 0 for the others")
            .tags(tags.and("state", state.name().toLowerCase(java.util.Locale.ROOT)))
            .strongReference(true)
            .register(registry);
      }
      gauge(
          registry,
          "quarry.realtime.topics",
          "topics subscribed",
          m -> m.quarry.realtime().topics().size());
      FunctionCounter.builder(
              "quarry.realtime.events.received",
              this,
              m -> m.quarry.realtime().stats().eventsReceived())
          .description("every realtime event received")
          .tags(tags)
          .register(registry);
      FunctionCounter.builder(
              "quarry.realtime.events.dropped",
              this,
              m -> m.quarry.realtime().stats().eventsDropped())
          .description("realtime events dropped because listeners fell behind")
          .tags(tags)
          .register(registry);
      gauge(
          registry,
          "quarry.realtime.callback.queue",
          "realtime events waiting for their listeners",
          m -> m.quarry.realtime().stats().queuedEvents());
      Gauge.builder(
              "quarry.realtime.callback.queue.size",
              this,
              m -> m.read(q -> q.quarry.realtime().stats().queuedBytes()))
          .description("payload bytes of the realtime events waiting for their listeners")
          .baseUnit("bytes")
          .tags(tags)
          .strongReference(true)
          .register(registry);
    }
  }

  private void subscribe() {
    subscriptions.add(quarry.queries().subscribe(this::onCacheEvent));
    subscriptions.add(
        quarry
            .queries()
            .addStatsListener(
                new QueryStatsListener() {
                  @Override
                  public void onCacheHit(QueryKey key) {
                    increment("quarry.query.hits", "reads answered from the cache", key);
                  }

                  @Override
                  public void onFetchEnded(
                      QueryKey key, QueryStatsListener.FetchOutcome outcome, Duration duration) {
                    fetchEnded(key, outcome, duration);
                  }

                  @Override
                  public void onStreamChunk(QueryKey key) {
                    increment("quarry.stream.chunks", "chunks received by streamed queries", key);
                  }

                  @Override
                  public void onStreamResumed(QueryKey key) {
                    increment(
                        "quarry.stream.resumes",
                        "stream connections resumed within a fetch attempt",
                        key);
                  }
                }));
    subscriptions.add(quarry.mutations().subscribe(this::onMutationEvent));
    if (quarry.hasRealtime()) {
      subscriptions.add(quarry.realtime().onConnectionEvent(this::onConnectionEvent));
      for (String event : countedEvents) {
        subscriptions.add(
            quarry
                .realtime()
                .onArgs(
                    event,
                    args -> count("quarry.realtime.events", "events received", "event", event)));
      }
    }
  }

  private ConnectionState realtimeState() {
    return quarry.realtime().state();
  }

  // ------------------------------------------------------------------ events

  private void onCacheEvent(QueryCacheEvent event) {
    if (event instanceof QueryCacheEvent.Updated u && u.action() == QueryAction.FAILED) {
      increment("quarry.query.retries", "failed attempts that will be retried", u.key());
    }
  }

  private void fetchEnded(
      QueryKey key, QueryStatsListener.FetchOutcome outcome, Duration duration) {
    Tags t =
        tags.and(
            "key", keyTags.tag(key), "outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
    for (MeterRegistry registry : registries) {
      Timer.builder("quarry.query.fetch")
          .description("query fetches, from start to end")
          .tags(t)
          .register(registry)
          .record(duration);
    }
  }

  private void onMutationEvent(MutationCacheEvent event) {
    if (event instanceof MutationCacheEvent.RolledBack r) {
      count(
          "quarry.mutation.rollbacks",
          "failed mutations whose optimistic changes were rolled back",
          "key",
          r.mutation().mutationKey().map(keyTags::tag).orElse(KeyTags.NONE));
    } else if (event instanceof MutationCacheEvent.Updated u) {
      String key = u.mutation().mutationKey().map(keyTags::tag).orElse(KeyTags.NONE);
      switch (u.action()) {
        case SUCCESS ->
            count("quarry.mutations", "settled mutations", "key", key, "outcome", "success");
        case ERROR ->
            count("quarry.mutations", "settled mutations", "key", key, "outcome", "error");
        case FAILED ->
            count("quarry.mutation.retries", "failed attempts that will be retried", "key", key);
        default -> {
          // pending, pause and continue are read by the gauges
        }
      }
    }
  }

  private void onConnectionEvent(ConnectionEvent event) {
    if (event instanceof ConnectionEvent.Connected c && c.reconnect()) {
      count(
          "quarry.realtime.reconnects",
          "reconnects; recovered=false is a gap",
          "recovered",
          String.valueOf(c.recovered()));
    } else if (event instanceof ConnectionEvent.Reconnecting) {
      count("quarry.realtime.reconnect.attempts", "reconnect attempts", null, null);
    }
  }

  // ------------------------------------------------------------------ helpers

  private void increment(String name, String description, QueryKey key) {
    count(name, description, "key", keyTags.tag(key));
  }

  private void count(
      String name, String description, @Nullable String tagKey, @Nullable String tagValue) {
    Tags t = tagKey == null || tagValue == null ? tags : tags.and(tagKey, tagValue);
    for (MeterRegistry registry : registries) {
      Counter.builder(name).description(description).tags(t).register(registry).increment();
    }
  }

  private void count(String name, String description, String k1, String v1, String k2, String v2) {
    Tags t = tags.and(k1, v1, k2, v2);
    for (MeterRegistry registry : registries) {
      Counter.builder(name).description(description).tags(t).register(registry).increment();
    }
  }

  private void gauge(
      MeterRegistry registry, String name, String description, ToDoubleFunction<QuarryMetrics> f) {
    Gauge.builder(name, this, m -> m.read(f))
        .description(description)
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  private double read(ToDoubleFunction<QuarryMetrics> f) {
    if (quarry.isClosed()) {
      return Double.NaN;
    }
    try {
      return f.applyAsDouble(this);
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double countObserved(List<QuerySnapshot> queries) {
    return queries.stream().filter(q -> q.observerCount() > 0).count();
  }

  private static double countPaused(List<MutationInfo> mutations) {
    return mutations.stream().filter(m -> m.state().isPending() && m.state().isPaused()).count();
  }

  private static double fileSize(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  /** Ends the subscriptions to the facade's events; meters stay registered. Idempotent. */
  @Override
  public void close() {
    List<Registration> subs;
    synchronized (lock) {
      closed = true;
      subs = new ArrayList<>(subscriptions);
      subscriptions.clear();
    }
    subs.forEach(Registration::close);
  }

  @Override
  public String toString() {
    return "QuarryMetrics{" + quarry + ", registries=" + registries.size() + "}";
  }

  /** Builds {@link QuarryMetrics}. Not thread-safe. */
  public static final class Builder {
    private final Quarry quarry;
    private KeyTags keyTags = KeyTags.firstPart();
    private Tags tags = Tags.empty();
    private @Nullable Path outboxFile;
    private final List<String> countedEvents = new ArrayList<>();

    private Builder(Quarry quarry) {
      this.quarry = quarry;
    }

    /** How keys become the {@code key} tag (default {@link KeyTags#firstPart()}). */
    public Builder keyTags(KeyTags keyTags) {
      this.keyTags = Objects.requireNonNull(keyTags, "keyTags");
      return this;
    }

    /** Tags added to every meter (e.g. the application's name); replaces earlier ones. */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
      return this;
    }

    /**
     * The outbox file whose size {@code quarry.outbox.size} reports: {@code outbox.mv} in the
     * directory given to {@code Quarry.builder().persistence(dir)}.
     */
    public Builder outboxFile(Path file) {
      this.outboxFile = Objects.requireNonNull(file, "outboxFile");
      return this;
    }

    /**
     * Counts these realtime events in {@code quarry.realtime.events} (tag {@code event}). Only
     * named events are counted, so the tag stays bounded.
     *
     * @throws IllegalArgumentException if a name is empty
     */
    public Builder countEvents(String... events) {
      for (String e : events) {
        Objects.requireNonNull(e, "event");
        if (e.isEmpty()) {
          throw new IllegalArgumentException("countEvents: an event name must not be empty");
        }
        if (!countedEvents.contains(e)) {
          countedEvents.add(e);
        }
      }
      return this;
    }

    /** The binder; nothing is subscribed until {@link QuarryMetrics#bindTo}. */
    public QuarryMetrics build() {
      return new QuarryMetrics(this);
    }
  }
}
