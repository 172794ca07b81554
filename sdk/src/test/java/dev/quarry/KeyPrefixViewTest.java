package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.testing.VirtualTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScopeTest {
  final VirtualTime time = new VirtualTime();
  final Quarry quarry =
      Quarry.builder().time(time, time).callbackExecutor(VirtualTime.direct()).build();
  final Map<QueryKey, AtomicInteger> fetches = new ConcurrentHashMap<>();

  @AfterEach
  void close() {
    quarry.close();
  }

  private QueryOptions<String> counting(String name) {
    return QueryOptions.of(
        QueryKey.of(name),
        ctx -> {
          int n = fetches.computeIfAbsent(ctx.key(), k -> new AtomicInteger()).incrementAndGet();
          return CompletableFuture.completedFuture(name + " #" + n);
        });
  }

  @Test
  void fetch_inAScope_cachesUnderThePrefixedKey() throws Exception {
    KeyPrefixView project = quarry.view(QueryKey.of("project", "p1"));

    assertThat(project.fetch(counting("episodes")).get()).isEqualTo("episodes #1");

    assertThat(quarry.<String>getQueryData(QueryKey.of("project", "p1", "episodes")))
        .hasValue("episodes #1");
    assertThat(project.<String>getQueryData(QueryKey.of("episodes"))).hasValue("episodes #1");
    assertThat(project.key("scenes", 3)).isEqualTo(QueryKey.of("project", "p1", "scenes", 3));
    assertThat(project.view(QueryKey.of("episode", "e1")).prefix())
        .isEqualTo(QueryKey.of("project", "p1", "episode", "e1"));
  }

  @Test
  void invalidateAll_refetchesTheScopesObservedQueries_only() {
    KeyPrefixView p1 = quarry.view(QueryKey.of("project", "p1"));
    KeyPrefixView p2 = quarry.view(QueryKey.of("project", "p2"));
    QueryObserver<String> a = p1.observe(counting("episodes"), r -> {});
    QueryObserver<String> b = p1.observe(counting("characters"), r -> {});
    QueryObserver<String> c = p2.observe(counting("episodes"), r -> {});
    time.runDue();

    p1.invalidateAll();
    time.runDue();

    assertThat(fetches.get(QueryKey.of("project", "p1", "episodes")).get()).isEqualTo(2);
    assertThat(fetches.get(QueryKey.of("project", "p1", "characters")).get()).isEqualTo(2);
    assertThat(fetches.get(QueryKey.of("project", "p2", "episodes")).get()).isEqualTo(1);
    assertThat(p1.<String>getQueryData(QueryKey.of("episodes"))).hasValue("episodes #2");
    List.of(a, b, c).forEach(QueryObserver::close);
  }

  @Test
  void setAndUpdateQueryData_inAScope_touchOnlyThePrefixedKey() {
    KeyPrefixView p1 = quarry.view(QueryKey.of("project", "p1"));

    p1.setQueryData(QueryKey.of("title"), "Draft");
    p1.<String>updateQueryData(QueryKey.of("title"), t -> t + " 2");
    p1.<String>updateQueryData(QueryKey.of("missing"), t -> t + " 2");

    assertThat(quarry.<String>getQueryData(QueryKey.of("project", "p1", "title")))
        .hasValue("Draft 2");
    assertThat(quarry.queries().getQueryState(QueryKey.of("project", "p1", "missing"))).isEmpty();
    assertThat(quarry.queries().getQueryState(QueryKey.of("title"))).isEmpty();
  }

  @Test
  void removeAll_dropsEveryQueryOfTheScope() {
    KeyPrefixView p1 = quarry.view(QueryKey.of("project", "p1"));
    p1.setQueryData(QueryKey.of("a"), 1);
    p1.setQueryData(QueryKey.of("b"), 2);
    quarry.setQueryData(QueryKey.of("project", "p2", "a"), 3);

    p1.removeAll();

    assertThat(quarry.queries().snapshot())
        .extracting(s -> s.key())
        .containsExactly(QueryKey.of("project", "p2", "a"));
  }
}
