package dev.quarry.benchmarks.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.Quarry;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.Topic;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The whole live-query path of the {@link Quarry} facade: a server event on a topic, a {@code
 * bind(topic).update(...)} rule writing the query's data, and a query observer seeing it, on the
 * facade's defaults (one callback thread for realtime and the cache).
 *
 * <p>Flood: the rule decodes every {@code tick} event into a {@link TickRecord} and counts them
 * into a {@code Long} query; the observer reports how far the count moved (notifications may
 * coalesce, the count may not). Round trip: {@code echo} without an ack, so the server emits {@code
 * echo(payload)} back on the socket; a second rule writes the payload's {@code rt} into another
 * query, and the round trip ends when that query's observer sees it.
 */
final class QuarryFacadeClient implements BenchClient {
  private static final QueryKey TICKS = QueryKey.of("bench", "ticks");
  private static final QueryKey ECHO = QueryKey.of("bench", "echo");

  private final List<String> disconnects = new CopyOnWriteArrayList<>();
  private final AtomicLong nextRoundTrip = new AtomicLong();
  private final AtomicReference<@Nullable Pending> pending = new AtomicReference<>();
  private final List<QueryObserver<Long>> views = new CopyOnWriteArrayList<>();
  private @Nullable Quarry quarry;
  private volatile boolean closing;

  private record Pending(long id, CompletableFuture<Long> done) {}

  @Override
  public String name() {
    return "Quarry facade (bind, cache, observer)";
  }

  @Override
  public void connect(String url, Map<String, String> params, TickCounter ticks, Duration timeout)
      throws Exception {
    CompletableFuture<Void> connected = new CompletableFuture<>();
    Quarry q = Quarry.builder().realtime(URI.create(url), r -> r).connectRealtime(false).build();
    quarry = q;
    q.realtime()
        .onConnectionEvent(
            e -> {
              if (e instanceof ConnectionEvent.Connected) {
                connected.complete(null);
              } else if (!closing
                  && (e instanceof ConnectionEvent.Disconnected
                      || e instanceof ConnectionEvent.Reconnecting)) {
                disconnects.add(e.toString());
              }
            });
    q.bind(Topic.of("bench", params))
        .update("tick", TickRecord.class, TICKS, (Long count, TickRecord tick) -> count + 1)
        .update(
            "echo", JsonNode.class, ECHO, (Long last, JsonNode echo) -> echo.get("rt").asLong());
    QueryOptions<Long> counter =
        QueryOptions.builder(TICKS, ctx -> CompletableFuture.completedFuture(0L))
            .staleTime(Duration.ofDays(1))
            .build();
    QueryOptions<Long> echoes =
        QueryOptions.builder(ECHO, ctx -> CompletableFuture.completedFuture(-1L))
            .staleTime(Duration.ofDays(1))
            .build();
    AtomicLong seen = new AtomicLong();
    QueryObserver<Long> tickView =
        q.observe(
            counter,
            r ->
                r.data()
                    .ifPresent(
                        n -> {
                          long before = seen.getAndSet(n);
                          if (n > before) {
                            ticks.add(n - before);
                          }
                        }));
    QueryObserver<Long> echoView =
        q.observe(
            echoes,
            r ->
                r.data()
                    .ifPresent(
                        id -> {
                          Pending p = pending.get();
                          if (p != null && p.id() == id) {
                            p.done().complete(id);
                          }
                        }));
    // Observed: the binding subscribes the topic. The views stay open until close().
    views.add(tickView);
    views.add(echoView);
    q.realtime().connect();
    connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    q.fetch(counter).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    q.fetch(echoes).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    // The server handles a socket's packets in order: once an echo has come back through the
    // binding, the subscribe sent before it has joined the room.
    echo(Map.of()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<?> echo(Map<String, Object> payload) {
    Quarry q = quarry;
    if (q == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
    }
    long id = nextRoundTrip.incrementAndGet();
    Pending p = new Pending(id, new CompletableFuture<>());
    pending.set(p);
    Map<String, Object> body = new java.util.LinkedHashMap<>(payload);
    body.put("bench", "flood");
    body.put("rt", id);
    q.realtime().emit("echo", body);
    return p.done();
  }

  @Override
  public List<String> disconnects() {
    return disconnects;
  }

  @Override
  public void close() {
    closing = true;
    Quarry q = quarry;
    views.forEach(QueryObserver::close);
    if (q != null) {
      q.close();
    }
  }
}
