package dev.quarry.cache.internal;

import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Registration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Follows {@link Connectivity} for a client (spec 5): when it comes online or focus returns, runs
 * the reconnect barriers (the mutations module resumes paused mutations there), waits for all of
 * them, then lets each query refetch through its first willing observer and continue a paused
 * fetch.
 */
final class ReconnectWiring {
  private final RealQueryClient client;
  private final ErrorHandler errorHandler;
  private final CopyOnWriteArrayList<Supplier<? extends CompletionStage<?>>> barriers =
      new CopyOnWriteArrayList<>();
  private final List<Registration> subscriptions;

  ReconnectWiring(RealQueryClient client, Connectivity connectivity, ErrorHandler errorHandler) {
    this.client = client;
    this.errorHandler = errorHandler;
    this.subscriptions =
        List.of(
            connectivity.onOnlineChange(
                online -> {
                  if (online) {
                    afterBarriers(() -> onConnectivity(true));
                  }
                }),
            connectivity.onFocusChange(
                focused -> {
                  if (focused) {
                    afterBarriers(() -> onConnectivity(false));
                  }
                }));
  }

  Registration addBarrier(Supplier<? extends CompletionStage<?>> step) {
    barriers.add(step);
    return () -> barriers.remove(step);
  }

  void close() {
    subscriptions.forEach(Registration::close);
  }

  private void afterBarriers(Runnable then) {
    if (client.isClosed()) {
      return;
    }
    List<CompletableFuture<?>> waits = new ArrayList<>();
    for (Supplier<? extends CompletionStage<?>> b : barriers) {
      try {
        waits.add(
            b.get()
                .toCompletableFuture()
                .handle(
                    (v, e) -> {
                      if (e != null) {
                        errorHandler.safeHandle("reconnect barrier " + b, e);
                      }
                      return null;
                    }));
      } catch (RuntimeException e) {
        errorHandler.safeHandle("reconnect barrier " + b, e);
      }
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
    all.thenRun(then)
        .exceptionally(
            e -> {
              errorHandler.safeHandle("refetch after reconnect", e);
              return null;
            });
  }

  /** Refetches what wants it on reconnect or focus, then continues paused fetches. */
  private void onConnectivity(boolean reconnect) {
    if (client.isClosed()) {
      return;
    }
    for (Query<?> q : client.all()) {
      for (QueryObserverImpl<?, ?> o : q.observers()) {
        if (reconnect ? o.shouldFetchOnReconnect() : o.shouldFetchOnFocus()) {
          o.fetchInBackground();
          break;
        }
      }
      q.resumePaused();
    }
  }
}
