package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.quarry.core.QueryKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code fetchQuery} on fresh data completes from the cache without merging the option layers
 * again; these are the cases where that shortcut could answer wrongly, and the reads of {@code
 * getQueryData}, which follows the query's state without reading it.
 */
class FreshHitTest {
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("todos", 1);

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void fetchQuery_sameOptionsAfterInvalidation_refetchesInsteadOfAnsweringFromTheCache() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls).staleTime(Duration.ofMinutes(10)).build();
    assertThat(f.client.fetchQuery(options).join()).isEqualTo("v0");
    assertThat(f.client.fetchQuery(options).join()).as("fresh hit").isEqualTo("v0");

    f.client.invalidateQueries(QueryFilters.exact(key).refetchType(QueryFilters.RefetchType.NONE));
    assertThat(calls.count()).as("invalidation alone does not fetch").isEqualTo(1);

    assertThat(f.client.fetchQuery(options).join()).isEqualTo("v1");
    assertThat(f.client.fetchQuery(options).join()).as("fresh again").isEqualTo("v1");
    assertThat(calls.count()).isEqualTo(2);
  }

  @Test
  void fetchQuery_staleTimeOfEachCall_decidesFreshness_evenWhenCallsAlternate() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> tenMinutes =
        QueryOptions.builder(key, calls)
            .staleTime(Duration.ofMinutes(10))
            .gcTime(Duration.ofHours(1))
            .build();
    QueryOptions<String> zero = tenMinutes.newBuilder().staleTime(StaleTime.zero()).build();

    assertThat(f.client.fetchQuery(tenMinutes).join()).isEqualTo("v0");
    assertThat(f.client.fetchQuery(tenMinutes).join()).isEqualTo("v0");
    assertThat(f.client.fetchQuery(zero).join()).as("staleTime 0: always stale").isEqualTo("v1");
    assertThat(f.client.fetchQuery(tenMinutes).join()).isEqualTo("v1");
    assertThat(f.client.fetchQuery(zero).join()).isEqualTo("v2");
    assertThat(calls.count()).isEqualTo(3);

    f.time.advance(Duration.ofMinutes(10).minusMillis(1));
    assertThat(f.client.fetchQuery(tenMinutes).join()).isEqualTo("v2");
    f.time.advance(Duration.ofMillis(1));
    assertThat(f.client.fetchQuery(tenMinutes).join()).as("stale by time").isEqualTo("v3");
    assertThat(calls.count()).isEqualTo(4);
  }

  @Test
  void fetchQuery_sameOptionsInstance_followsQueryDefaultsRegisteredAfterItsFirstCall() {
    f.client.setQueryDefaults(
        QueryKey.of("todos"), QueryDefaults.builder().staleTime(Duration.ofMinutes(10)).build());
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> options = QueryOptions.of(key, calls);
    assertThat(f.client.fetchQuery(options).join()).isEqualTo("v0");
    assertThat(f.client.fetchQuery(options).join()).as("fresh for 10 minutes").isEqualTo("v0");

    f.client.setQueryDefaults(
        QueryKey.of("todos"), QueryDefaults.builder().staleTime(StaleTime.zero()).build());
    assertThat(f.client.fetchQuery(options).join()).as("the new defaults apply").isEqualTo("v1");

    f.client.setQueryDefaults(
        QueryKey.of("todos", 1), QueryDefaults.builder().staleTime(Duration.ofMinutes(1)).build());
    assertThat(f.client.fetchQuery(options).join()).as("a longer prefix, later").isEqualTo("v1");
    assertThat(calls.count()).isEqualTo(2);
  }

  @Test
  void fetchQuery_freshHit_leavesTheRunningGcTimerAsItWas() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls)
            .staleTime(StaleTime.never())
            .gcTime(Duration.ofMinutes(5))
            .build();
    f.client.fetchQuery(options).join();
    Optional<Instant> due = gcDue();
    assertThat(due).contains(Instant.ofEpochMilli(f.time.currentTimeMillis() + 300_000));

    f.time.advance(Duration.ofMinutes(4));
    assertThat(f.client.fetchQuery(options).join()).isEqualTo("v0");
    assertThat(gcDue()).as("not restarted by a fresh hit").isEqualTo(due);

    f.time.advance(Duration.ofMinutes(1));
    assertThat(f.client.getQueryState(key)).as("collected on time").isEmpty();
    assertThat(calls.count()).isEqualTo(1);
  }

  @Test
  void fetchQuery_freshHitWithALongerGcTime_keepsTheRunningTimer_andTheNextTimerIsLonger() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> fiveMinutes =
        QueryOptions.builder(key, calls)
            .staleTime(StaleTime.never())
            .gcTime(Duration.ofMinutes(5))
            .build();
    QueryOptions<String> oneHour = fiveMinutes.newBuilder().gcTime(Duration.ofHours(1)).build();
    f.client.fetchQuery(fiveMinutes).join();
    Optional<Instant> due = gcDue();

    f.time.advance(Duration.ofMinutes(1));
    assertThat(f.client.fetchQuery(oneHour).join()).isEqualTo("v0");
    assertThat(gcDue()).as("the running timer is kept").isEqualTo(due);

    // An observer that comes and goes restarts the timer: with the longest gcTime seen.
    f.client.observe(fiveMinutes, r -> {}).close();
    f.time.advance(Duration.ofMinutes(59));
    assertThat(f.client.getQueryData(key)).contains("v0");
    f.time.advance(Duration.ofMinutes(1));
    assertThat(f.client.getQueryData(key)).isEmpty();
  }

  @Test
  void fetchQuery_withInitialData_onAnExistingQueryWithoutData_answersWithTheInitialData() {
    Calls<String> calls = f.calls();
    CompletableFuture<String> first = f.client.fetchQuery(QueryOptions.of(key, calls));
    QueryOptions<String> withInitial =
        QueryOptions.builder(key, calls)
            .initialData("initial")
            .staleTime(Duration.ofMinutes(1))
            .build();
    assertThat(f.client.fetchQuery(withInitial).join()).isEqualTo("initial");
    assertThat(f.client.<String>getQueryState(key).orElseThrow().dataUpdateCount()).isZero();
    calls.last().complete("fetched");
    assertThat(first.join()).isEqualTo("fetched");
    assertThat(calls.count()).isEqualTo(1);
  }

  @Test
  void getQueryData_isTheStatesDataAfterEveryKindOfChange() {
    Calls<String> calls = f.calls();
    QueryOptions<String> options = QueryOptions.of(key, calls);
    assertThat(f.client.getQueryData(key)).isEmpty();
    f.client.fetchQuery(options);
    assertSameAsState(Optional.empty());

    calls.last().complete("fetched");
    assertSameAsState(Optional.of("fetched"));

    f.client.setQueryData(key, "set");
    assertSameAsState(Optional.of("set"));

    f.client.fetchQuery(options);
    assertSameAsState(Optional.of("set"));
    f.client.cancelQueries(QueryFilters.exact(key)).join();
    assertSameAsState(Optional.of("set"));

    try (Fixture other = new Fixture()) {
      other.time.advance(Duration.ofMinutes(1));
      other.client.setQueryData(key, "hydrated");
      f.client.hydrate(
          other.client.dehydrate(),
          k -> Optional.of(TypeFactory.defaultInstance().constructType(String.class)));
    }
    assertSameAsState(Optional.of("hydrated"));

    f.client.resetQueries(QueryFilters.exact(key)).join();
    assertSameAsState(Optional.empty());

    f.client.setQueryData(key, "again");
    f.client.removeQueries(QueryFilters.exact(key));
    assertThat(f.client.getQueryData(key)).isEmpty();
    assertThat(f.client.getQueryState(key)).isEmpty();
  }

  private void assertSameAsState(Optional<String> expected) {
    Optional<String> data = f.client.getQueryData(key);
    assertThat(data).isEqualTo(expected);
    assertThat(data).isSameAs(f.client.<String>getQueryState(key).orElseThrow().data());
  }

  private Optional<Instant> gcDue() {
    return f.client.snapshot().stream()
        .filter(s -> s.key().equals(key))
        .findFirst()
        .orElseThrow()
        .gcDueAt();
  }
}
