package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Query functions written against the cache's own API get the facade's HTTP client. */
class HttpWiringTest {

  @Test
  void plainQueryOptions_reachTheFacadesHttpClient_throughTheQueryContext() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(
          new MockResponse.Builder()
              .code(200)
              .addHeader("Content-Type", "application/json")
              .body("[\"Pilot\"]")
              .build());
      server.start();
      try (Quarry quarry = Quarry.builder().baseUrl(server.url("/api/").toString()).build()) {
        QueryOptions<String[]> titles =
            QueryOptions.of(QueryKey.of("titles"), ctx -> ctx.http().get("titles", String[].class));

        assertThat(quarry.fetch(titles).get(10, TimeUnit.SECONDS)).containsExactly("Pilot");
        RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        assertThat(request.getTarget()).isEqualTo("/api/titles");
      }
    }
  }
}
