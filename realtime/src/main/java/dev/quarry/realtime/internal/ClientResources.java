package dev.quarry.realtime.internal;

import dev.quarry.core.ErrorHandler;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.internal.Defaults;
import dev.quarry.core.internal.Owned;
import dev.quarry.core.internal.Redaction;
import dev.quarry.core.internal.SerialExecutor;
import dev.quarry.realtime.RealtimeOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The scheduler, callback executors, inbound executor and transports of a {@link
 * RealRealtimeConnection}: the configured ones, or ones the client creates and owns, which {@link
 * #release} stops (through {@link Owned}, plus the OkHttp client's own stop, which can cancel the
 * last transport).
 */
final class ClientResources {
  /**
   * How long the client's own event and inbound threads, having handled the last queued event or
   * frame of a stream (more than one since they woke), wait (yielding the processor) for the next
   * before parking: many inter-event gaps of a flood, which then flows without a wake-up per event.
   * Events that trickle in (one per wake-up) are not waited for, so the threads do not compete for
   * the processor with whatever produces the events.
   */
  static final Duration LINGER = Duration.ofNanos(20_000);

  final Scheduler scheduler;

  /**
   * How long a drain of the inbound stage waits for the next frame: only on a thread of its own.
   */
  final Duration inboundLinger;

  final Callbacks callbacks;
  final Transport.Factory transports;

  /**
   * Where the connection's frames are decoded and routed: its own {@code quarry-realtime-inbound}
   * thread, or the executor a test gave.
   */
  final Executor inbound;

  /** How error reports name this client: "realtime " and its endpoint, redacted. */
  final String errorContext;

  private final Owned owned;
  private final @Nullable OkHttpClient ownHttp;

  ClientResources(
      RealtimeOptions options,
      Transport.@Nullable Factory transportFactory,
      @Nullable Executor inboundExecutor) {
    ErrorHandler errors = options.errorHandler();
    this.owned = new Owned("realtime client", errors);
    String context = "realtime " + Redaction.url(options.uri());
    this.errorContext = context;
    Executor eventExecutor;
    Executor controlExecutor;
    Duration eventLinger = Duration.ZERO;
    if (options.callbackExecutor().isPresent()) {
      eventExecutor = options.callbackExecutor().get();
      controlExecutor = eventExecutor;
    } else {
      // The event thread is the client's own: between two events of a flood it waits for the next
      // a moment instead of parking (and being woken again for it).
      eventLinger = LINGER;
      // Two threads: a listener stuck on the event thread must not hold back connection events
      // and ack completions.
      eventExecutor = owned.singleThreadExecutor("realtime-callbacks");
      controlExecutor = owned.singleThreadExecutor("realtime-control");
    }
    this.inbound =
        inboundExecutor != null ? inboundExecutor : owned.singleThreadExecutor("realtime-inbound");
    this.inboundLinger = inboundExecutor != null ? Duration.ZERO : LINGER;
    Optional<Scheduler> s = options.scheduler();
    this.scheduler = s.isPresent() ? s.get() : owned.add("scheduler", RealScheduler.create(errors));
    this.callbacks =
        new Callbacks(
            new SerialExecutor(controlExecutor, errors, context),
            eventExecutor,
            eventLinger,
            new SerialExecutor(Runnable::run, errors, context + " ack completion"),
            options.maxQueuedEvents(),
            options.maxQueuedEventBytes(),
            // With no stall timeout an event that does not fit drops the connection at once: the
            // counts must not include events the listeners have already taken.
            options.deliveryStallTimeout().isZero() ? 1 : Callbacks.RELEASE_BATCH,
            errors,
            context);
    if (transportFactory != null) {
      this.transports = transportFactory;
      this.ownHttp = null;
    } else if (options.httpClient().isPresent()) {
      this.transports =
          Transports.factory(
              options,
              options.httpClient().get(),
              scheduler,
              owned.threadFactory("realtime-polling"));
      this.ownHttp = null;
    } else {
      OkHttpClient http =
          Defaults.okHttpClientBuilder(owned.threadFactory("realtime-http"))
              .readTimeout(Duration.ZERO)
              .pingInterval(Duration.ZERO)
              .build();
      this.ownHttp = http;
      this.transports =
          Transports.factory(options, http, scheduler, owned.threadFactory("realtime-polling"));
    }
  }

  /**
   * Stops what the client owns; called without the lock after close. {@code last} is the transport
   * of the connection that was open, cancelled if OkHttp's threads do not end in time.
   */
  void release(@Nullable Transport last) {
    owned.close();
    OkHttpClient http = ownHttp;
    if (http != null) {
      ExecutorService dispatcher = http.dispatcher().executorService();
      dispatcher.shutdown();
      http.connectionPool().evictAll();
      try {
        if (!dispatcher.awaitTermination(2, TimeUnit.SECONDS)) {
          if (last != null) {
            last.cancel();
          }
          dispatcher.awaitTermination(1, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // A call that was running at the first eviction (a polling transport's last POST) returns
      // its connection to the pool when it ends: evict again, or that socket stays open idle.
      http.connectionPool().evictAll();
    }
  }
}
