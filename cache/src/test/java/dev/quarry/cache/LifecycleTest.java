package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.core.QueryKey;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleTest {
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("item", 1);

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void lastObserverLeavingAnInitialPausedFetch_cancelsIt_soReconnectDoesNotRunIt() {
    f.connectivity.setOnline(false);
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    QueryObserver<String> o = f.client.observe(QueryOptions.of(key, calls), r -> {});
    assertThat(o.currentResult().fetchStatus()).isEqualTo(FetchStatus.PAUSED);
    o.close();
    QueryState<String> s = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    f.connectivity.setOnline(true);
    assertThat(calls.count()).isZero();
  }

  @Test
  void lastObserverLeavingWithoutReadingTheSignal_stopsFurtherRetries() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.failing("no"));
    QueryObserver<String> o =
        f.client.observe(QueryOptions.builder(key, calls).retry(5).build(), r -> {});
    assertThat(calls.count()).isEqualTo(1);
    f.time.advance(Duration.ofMillis(500));
    o.close();
    f.time.advance(Duration.ofMinutes(1));
    assertThat(calls.count()).as("the retry due at 1 s is not made").isEqualTo(1);
    assertThat(f.client.getQueryState(key).orElseThrow().status()).isEqualTo(QueryStatus.ERROR);
  }

  @Test
  void offlineFirst_runsTheFirstAttemptOffline_butPausesRetries() {
    f.connectivity.setOnline(false);
    Calls<String> calls =
        f.<String>calls().answering(i -> i == 0 ? Calls.failing("x") : Calls.ok("v"));
    CompletableFuture<String> r =
        f.client.fetchQuery(
            QueryOptions.builder(key, calls)
                .networkMode(NetworkMode.OFFLINE_FIRST)
                .retry(1)
                .build());
    assertThat(calls.count()).isEqualTo(1);
    f.time.advance(Duration.ofSeconds(5));
    assertThat(f.client.getQueryState(key).orElseThrow().fetchStatus())
        .isEqualTo(FetchStatus.PAUSED);
    f.connectivity.setOnline(true);
    assertThat(r.join()).isEqualTo("v");
  }

  @Test
  void retries_alsoPauseWhileUnfocused_andContinueOnFocus() {
    Calls<String> calls =
        f.<String>calls().answering(i -> i == 0 ? Calls.failing("x") : Calls.ok("v"));
    CompletableFuture<String> r =
        f.client.fetchQuery(
            QueryOptions.builder(key, calls).networkMode(NetworkMode.ALWAYS).retry(1).build());
    f.connectivity.setFocused(false);
    f.time.advance(Duration.ofSeconds(5));
    assertThat(calls.count()).isEqualTo(1);
    f.connectivity.setFocused(true);
    assertThat(r.join()).isEqualTo("v");
  }

  @Test
  void observerOfARemovedQuery_getsANewCacheEntryOnItsNextFetch() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryObserver<String> o = f.client.observe(QueryOptions.of(key, calls), r -> {});
    f.client.removeQueries(QueryFilters.exact(key));
    assertThat(f.client.getQueryState(key)).isEmpty();
    assertThat(o.refetch().join().data()).contains("v1");
    assertThat(f.client.getQueryData(key)).contains("v1");
    assertThat(f.client.snapshot().get(0).observerCount()).isEqualTo(1);
  }

  @Test
  void queryFunctionThrowing_isAFailedAttempt() {
    CompletableFuture<String> r =
        f.client.fetchQuery(
            QueryOptions.<String>of(
                key,
                ctx -> {
                  throw new java.io.IOException("disk");
                }));
    assertThatThrownBy(r::join).hasRootCauseMessage("disk");
    assertThat(f.client.getQueryState(key).orElseThrow().error()).isPresent();
  }

  @Test
  void cancellationSignal_runsCallbacks_andReportsTheReason() {
    Calls<String> calls = f.calls();
    f.client.fetchQuery(QueryOptions.of(key, calls));
    CancellationSignal signal = calls.contexts.get(0).signal();
    boolean[] called = {false};
    signal.onCancel(() -> called[0] = true);
    f.client.cancelQueries(QueryFilters.all());
    assertThat(called[0]).isTrue();
    assertThat(signal.reason().orElseThrow().revert()).isTrue();
  }

  @Test
  void defaultThreads_areNamedAndStoppedByClose() {
    QueryClient own = QueryClient.builder().build();
    own.observe(QueryOptions.<String>of(key, ctx -> Calls.ok("v")), r -> {});
    assertThat(quarryCacheThreads()).isPositive();
    own.close();
    assertThat(quarryCacheThreads()).isZero();
  }

  private static long quarryCacheThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("quarry-cache-callbacks"))
        .count();
  }
}
