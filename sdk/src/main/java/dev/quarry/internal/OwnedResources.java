package dev.quarry.internal;

import dev.quarry.cache.QueryClient;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.realtime.RealtimeClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * What the facade created and must stop, filled while it is built; {@link #close} stops them in
 * dependency order (realtime, mutations, queries, HTTP, then the threads). Things the application
 * gave the facade are never recorded here.
 */
public final class OwnedResources {
  // Plain fields: written by the building thread before the facade is published.
  public @Nullable RealScheduler scheduler;
  public @Nullable ExecutorService callbacks;
  public volatile @Nullable Thread callbackThread;
  public @Nullable OkHttpClient okHttp;
  public @Nullable JsonHttp http;
  public @Nullable QueryClient queries;
  public @Nullable MutationClient mutations;
  public @Nullable RealtimeClient realtime;
  public @Nullable RealtimeMonitor monitor;

  /** Creates an empty record. */
  public OwnedResources() {}

  /** Stops everything recorded, reporting failures to {@code errors}. */
  public void close(ErrorHandler errors) {
    closeQuietly(monitor, "realtime monitor", errors);
    closeQuietly(realtime, "realtime client", errors);
    closeQuietly(mutations, "mutation client", errors);
    closeQuietly(queries, "query client", errors);
    closeQuietly(http, "http", errors);
    OkHttpClient client = okHttp;
    if (client != null) {
      client.dispatcher().cancelAll();
      ExecutorService dispatcher = client.dispatcher().executorService();
      dispatcher.shutdown();
      client.connectionPool().evictAll();
      awaitQuietly(dispatcher);
    }
    closeQuietly(scheduler, "scheduler", errors);
    ExecutorService cb = callbacks;
    if (cb != null) {
      cb.shutdown();
      // close() called from a listener must not wait for its own thread to finish.
      if (Thread.currentThread() != callbackThread) {
        awaitQuietly(cb);
      }
    }
  }

  /** Closes {@code c}, reporting a failure to the handler. */
  public static void closeQuietly(
      @Nullable AutoCloseable c, String what, ErrorHandler errorHandler) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      errorHandler.safeHandle("closing " + what, e);
    }
  }

  private static void awaitQuietly(ExecutorService executor) {
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
