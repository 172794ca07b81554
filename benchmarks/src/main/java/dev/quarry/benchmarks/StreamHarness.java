package dev.quarry.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.SseSource;
import dev.quarry.cache.StreamedQuery;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.http.JsonType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * Chunks per second through a streamed query ({@link SseSource} + {@link StreamedQuery}) against a
 * raw okhttp-sse listener that decodes each event with Jackson, on the same loopback server and the
 * same OkHttp client. The server writes {@code EVENTS} events of about 60 bytes as fast as it can.
 * Rows: the raw listener; the streamed query folding into a counter (constant-size data: the
 * per-chunk cost of the cache write); the streamed query with the default data, the list of every
 * chunk (each write copies the list and structurally shares it with the last one: quadratic). One
 * warm-up round, then 3 rounds in rotating order; the best round of each is reported.
 */
public final class StreamHarness {
  record Token(int index, String text) {}

  static final int EVENTS = 20_000;
  static final int LIST_EVENTS = 2_000;

  private StreamHarness() {}

  public static void main(String[] args) throws Exception {
    byte[] body = body(EVENTS);
    byte[] listBody = body(LIST_EVENTS);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext("/events", ex -> send(ex, body));
    server.createContext("/list", ex -> send(ex, listBody));
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    OkHttpClient ok = new OkHttpClient.Builder().readTimeout(60, TimeUnit.SECONDS).build();
    ObjectMapper mapper = new ObjectMapper();
    JsonHttp http = JsonHttp.builder().baseUrl(base).client(ok).build();
    QueryClient client = QueryClient.builder().http(http).build();
    String started = Machine.now();
    String loadBefore = Machine.load();
    double[] best = new double[3];
    try {
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 3; i++) {
          int row = (i + round) % 3;
          double rate =
              switch (row) {
                case 0 -> raw(ok, mapper, base + "events", EVENTS);
                case 1 -> counted(client, round, EVENTS);
                default -> listed(client, round, LIST_EVENTS);
              };
          if (round > 0) {
            best[row] = Math.max(best[row], rate);
          }
        }
      }
    } finally {
      client.close();
      http.close();
      ok.dispatcher().executorService().shutdownNow();
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
    System.out.println("StreamHarness " + started + ", " + Machine.describe());
    System.out.println("load before: " + loadBefore + "; after: " + Machine.load());
    System.out.println("| client | events | chunks/s | ratio to raw okhttp-sse |");
    System.out.println("|---|---|---|---|");
    row("raw okhttp-sse listener + Jackson", EVENTS, best[0], best[0]);
    row("streamed query, reducer into a counter", EVENTS, best[1], best[0]);
    row("streamed query, default list of chunks", LIST_EVENTS, best[2], best[0]);
  }

  private static void row(String name, int events, double rate, double raw) {
    System.out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %.2f |%n", name, events, rate, rate / raw);
  }

  private static byte[] body(int events) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= events; i++) {
      b.append("id: ").append(i).append("\ndata: {\"index\":").append(i);
      b.append(",\"text\":\"token number ").append(i).append("\"}\n\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void send(com.sun.net.httpserver.HttpExchange ex, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static double raw(OkHttpClient ok, ObjectMapper mapper, String url, int events)
      throws Exception {
    AtomicLong count = new AtomicLong();
    CompletableFuture<Void> done = new CompletableFuture<>();
    long start = System.nanoTime();
    EventSources.createFactory(ok)
        .newEventSource(
            new Request.Builder().url(url).build(),
            new EventSourceListener() {
              @Override
              public void onEvent(EventSource source, String id, String type, String data) {
                try {
                  mapper.readValue(data, Token.class);
                  count.incrementAndGet();
                } catch (IOException e) {
                  done.completeExceptionally(e);
                }
              }

              @Override
              public void onClosed(EventSource source) {
                done.complete(null);
              }

              @Override
              public void onFailure(EventSource source, Throwable t, okhttp3.Response r) {
                done.completeExceptionally(t == null ? new IOException("HTTP " + r) : t);
              }
            });
    done.get(60, TimeUnit.SECONDS);
    return rate(count.get(), events, start);
  }

  private static double counted(QueryClient client, int round, int events) throws Exception {
    long start = System.nanoTime();
    int n =
        client
            .fetchQuery(
                QueryOptions.of(
                    QueryKey.of("count", round),
                    StreamedQuery.builder(
                            SseSource.builder("events", JsonType.of(Token.class)).build())
                        .reducer(0, (acc, t) -> acc + 1)
                        .build()))
            .get(60, TimeUnit.SECONDS);
    return rate(n, events, start);
  }

  private static double listed(QueryClient client, int round, int events) throws Exception {
    long start = System.nanoTime();
    List<Token> all =
        client
            .fetchQuery(
                QueryOptions.of(
                    QueryKey.of("list", round),
                    StreamedQuery.of(SseSource.builder("list", JsonType.of(Token.class)).build())))
            .get(60, TimeUnit.SECONDS);
    return rate(all.size(), events, start);
  }

  private static double rate(long got, int expected, long start) {
    if (got != expected) {
      throw new IllegalStateException("expected " + expected + " events, got " + got);
    }
    return got / ((System.nanoTime() - start) / 1e9);
  }
}
