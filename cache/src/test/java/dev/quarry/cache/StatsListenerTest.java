package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QueryStatsListener}s hear exactly the reads and fetches made while they are registered:
 * the hit path checks one flag for "any listener", and that flag follows registrations and their
 * handles in any order.
 */
class StatsListenerTest {
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("todos", 1);

  @AfterEach
  void close() {
    f.close();
  }

  /** Records the keys of cache hits and the outcomes of fetches. */
  private static final class Recorder implements QueryStatsListener {
    final List<QueryKey> hits = new CopyOnWriteArrayList<>();
    final List<FetchOutcome> fetches = new CopyOnWriteArrayList<>();

    @Override
    public void onCacheHit(QueryKey key) {
      hits.add(key);
    }

    @Override
    public void onFetchEnded(QueryKey key, FetchOutcome outcome, Duration duration) {
      fetches.add(outcome);
    }
  }

  private QueryOptions<String> fresh() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    return QueryOptions.builder(key, calls).staleTime(StaleTime.never()).build();
  }

  @Test
  void hitsAndFetches_areHeardOnlyWhileRegistered() {
    QueryOptions<String> options = fresh();
    Recorder r = new Recorder();
    f.client.fetchQuery(options).join(); // a fetch nobody hears
    Registration reg = f.client.addStatsListener(r);

    f.client.fetchQuery(options).join();
    f.client.fetchQuery(options).join();
    assertThat(r.hits).containsExactly(key, key);
    assertThat(r.fetches).isEmpty();

    reg.close();
    f.client.fetchQuery(options).join();
    assertThat(r.hits).as("closed: no more hits").hasSize(2);
    reg.close(); // again: nothing happens
    assertThat(f.errors).isEmpty();
  }

  @Test
  void closingOneOfTwo_keepsTheOther_andANewRegistrationAfterTheLastClosedHears() {
    QueryOptions<String> options = fresh();
    f.client.fetchQuery(options).join();
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    Registration a = f.client.addStatsListener(first);
    Registration b = f.client.addStatsListener(second);

    f.client.fetchQuery(options).join();
    a.close();
    f.client.fetchQuery(options).join();
    assertThat(first.hits).hasSize(1);
    assertThat(second.hits).as("still registered after the other closed").hasSize(2);

    b.close();
    f.client.fetchQuery(options).join();
    assertThat(second.hits).hasSize(2);

    Recorder third = new Recorder();
    try (Registration c = f.client.addStatsListener(third)) {
      f.client.fetchQuery(options).join();
      f.client.invalidateQueries(
          QueryFilters.exact(key).refetchType(QueryFilters.RefetchType.NONE));
      f.client.fetchQuery(options).join();
      assertThat(third.hits).as("registered after every other closed").containsExactly(key);
      assertThat(third.fetches)
          .as("the fetch after invalidation")
          .containsExactly(QueryStatsListener.FetchOutcome.SUCCESS);
    }
    assertThat(first.hits).hasSize(1);
    assertThat(second.hits).hasSize(2);
  }
}
