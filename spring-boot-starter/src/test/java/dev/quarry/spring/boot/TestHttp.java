package dev.quarry.spring.boot;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A MockWebServer with fixed routes: {@code numbers} answers {@code [1,2,3]}; {@code flaky}, {@code
 * flaky-keyed} and {@code flaky-unkeyed} answer 500 twice, then {@code [7]}; {@code slow} answers
 * {@code [9]} after 300 ms; {@code unavailable} always answers 503. Counts requests per path.
 */
final class TestHttp implements AutoCloseable {
  final MockWebServer server = new MockWebServer();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  TestHttp() throws Exception {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String path = request.getTarget().replaceFirst("^/", "");
            int n = counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            return switch (path) {
              case "numbers" -> json("[1,2,3]");
              case "flaky", "flaky-keyed", "flaky-unkeyed" ->
                  n <= 2 ? new MockResponse.Builder().code(500).build() : json("[7]");
              case "slow" ->
                  new MockResponse.Builder()
                      .code(200)
                      .body("[9]")
                      .headersDelay(300, TimeUnit.MILLISECONDS)
                      .build();
              case "very-slow" ->
                  new MockResponse.Builder()
                      .code(200)
                      .body("[9]")
                      .headersDelay(5, TimeUnit.SECONDS)
                      .build();
              case "unavailable" -> new MockResponse.Builder().code(503).build();
              default -> new MockResponse.Builder().code(404).build();
            };
          }
        });
    server.start();
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  String baseUrl() {
    return server.url("/").toString();
  }

  int count(String path) {
    AtomicInteger n = counts.get(path);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {
    server.close();
  }
}
