package dev.quarry.realtime.internal;

import dev.quarry.core.ErrorHandler;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.internal.NamedThreadFactory;
import dev.quarry.core.internal.Redaction;
import dev.quarry.core.internal.SerialExecutor;
import dev.quarry.realtime.RealtimeOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The scheduler, callback executor and transports of a {@link RealRealtimeClient}: the configured
 * ones, or ones the client creates and owns, which {@link #release} stops.
 */
final class ClientResources {
  final Scheduler scheduler;
  final Callbacks callbacks;
  final Transport.Factory transports;
  private final @Nullable RealScheduler ownScheduler;
  private final @Nullable ExecutorService ownExecutor;
  private final @Nullable ExecutorService ownControlExecutor;
  private final @Nullable OkHttpClient ownHttp;

  ClientResources(RealtimeOptions options, Transport.@Nullable Factory transportFactory) {
    ErrorHandler errors = options.errorHandler();
    Optional<Scheduler> s = options.scheduler();
    if (s.isPresent()) {
      this.scheduler = s.get();
      this.ownScheduler = null;
    } else {
      RealScheduler rs = RealScheduler.create(errors);
      this.scheduler = rs;
      this.ownScheduler = rs;
    }
    String context = "realtime " + Redaction.url(options.uri());
    Executor eventExecutor;
    Executor controlExecutor;
    if (options.callbackExecutor().isPresent()) {
      this.ownExecutor = null;
      this.ownControlExecutor = null;
      eventExecutor = options.callbackExecutor().get();
      controlExecutor = eventExecutor;
    } else {
      // Two threads: a listener stuck on the event thread must not hold back connection events
      // and ack completions.
      ExecutorService ex = singleThread("realtime-callbacks");
      ExecutorService control = singleThread("realtime-control");
      this.ownExecutor = ex;
      this.ownControlExecutor = control;
      eventExecutor = ex;
      controlExecutor = control;
    }
    this.callbacks =
        new Callbacks(
            new SerialExecutor(controlExecutor, errors, context),
            new SerialExecutor(eventExecutor, errors, context),
            options.maxQueuedEvents(),
            options.maxQueuedEventBytes());
    if (transportFactory != null) {
      this.transports = transportFactory;
      this.ownHttp = null;
    } else if (options.httpClient().isPresent()) {
      this.transports = OkHttpTransport.factory(options.httpClient().get(), options.compression());
      this.ownHttp = null;
    } else {
      OkHttpClient http =
          new OkHttpClient.Builder().readTimeout(Duration.ZERO).pingInterval(Duration.ZERO).build();
      this.ownHttp = http;
      this.transports = OkHttpTransport.factory(http, options.compression());
    }
  }

  private static ExecutorService singleThread(String role) {
    return new ThreadPoolExecutor(
        1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), new NamedThreadFactory(role));
  }

  /**
   * Stops what the client owns; called without the lock after close. {@code last} is the transport
   * of the connection that was open, cancelled if OkHttp's threads do not end in time.
   */
  void release(@Nullable Transport last) {
    if (ownScheduler != null) {
      ownScheduler.close();
    }
    if (ownExecutor != null) {
      ownExecutor.shutdown();
    }
    if (ownControlExecutor != null) {
      ownControlExecutor.shutdown();
    }
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
    }
  }
}
