package dev.quarry.core.http;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** 407 Proxy Authentication Required is a status like any other 4xx: typed, not retryable. */
class JsonHttpProxyAuthTest {
  @StartStop private final MockWebServer server = new MockWebServer();

  private static MockResponse proxyAuthRequired() {
    return new MockResponse.Builder()
        .code(407)
        .setHeader("Proxy-Authenticate", "Basic realm=\"gateway\"")
        .body("proxy login needed")
        .build();
  }

  private static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the future to fail but it completed with " + future.join());
  }

  @Test
  void status407_withoutAProxy_failsWithANonRetryableStatusException() throws Exception {
    server.enqueue(proxyAuthRequired());
    server.enqueue(proxyAuthRequired());
    try (JsonHttp http = JsonHttp.builder().baseUrl(server.url("/api/").toString()).build()) {
      Throwable get = failure(http.get("episodes", Integer.class));
      Throwable post = failure(http.post("episodes", Map.of("title", "Pilot"), Integer.class));

      for (Throwable error : new Throwable[] {get, post}) {
        assertThat(error).isInstanceOf(HttpStatusException.class);
        assertThat(((HttpStatusException) error).status()).isEqualTo(407);
        assertThat(error).hasMessageContaining("HTTP 407");
        assertThat(JsonHttp.isRetryable(error)).isFalse();
      }
      assertThat(((HttpStatusException) get).method()).isEqualTo("GET");
      assertThat(((HttpStatusException) get).url())
          .isEqualTo(server.url("/api/episodes").toString());
      assertThat(server.getRequestCount()).isEqualTo(2);
    }
  }

  @Test
  void status407_fromAnHttpProxy_failsWithANonRetryableStatusException() throws Exception {
    server.enqueue(proxyAuthRequired());
    OkHttpClient client =
        new OkHttpClient.Builder()
            .proxy(
                new Proxy(
                    Proxy.Type.HTTP, new InetSocketAddress(server.getHostName(), server.getPort())))
            .build();
    try (JsonHttp http = JsonHttp.builder().client(client).build()) {
      Throwable error = failure(http.get("http://origin.invalid/api/episodes", Integer.class));

      assertThat(error).isInstanceOf(HttpStatusException.class);
      HttpStatusException status = (HttpStatusException) error;
      assertThat(status.status()).isEqualTo(407);
      assertThat(status.headers().get("Proxy-Authenticate")).isEqualTo("Basic realm=\"gateway\"");
      assertThat(status.bodyExcerpt()).isEqualTo("proxy login needed");
      assertThat(JsonHttp.isRetryable(error)).isFalse();
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
