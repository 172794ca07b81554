package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.cache.QueryObserver;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * A secret marker is put in every place a secret travels (URL user info, {@code ?access_token=},
 * {@code ?apikey=}, {@code ?sig=}, request headers, the Authorization supplier, the realtime auth
 * payload and handshake headers), the client is driven into errors, and the marker must appear in
 * none of the text a user can see: log output (the default logging error handler through
 * slf4j-simple), exception messages and stack traces, error-handler contexts, the inspector's table
 * and JSON, and the {@code toString} of options, clients and connection events.
 */
class SecretRedactionTest {
  static final String MARKER = "Mk7qZ0secretZ";
  static final Duration WAIT = Duration.ofSeconds(20);

  final List<String> seen = new CopyOnWriteArrayList<>();
  final Map<String, String> places = new java.util.LinkedHashMap<>();

  /** A distinct secret for each place it is put, all starting with {@link #MARKER}. */
  private String secret(String place) {
    String s = MARKER + (places.size() + 10);
    places.put(s, place);
    return s;
  }

  private void see(Object o) {
    seen.add(String.valueOf(o));
  }

  private void see(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    seen.add(t.toString());
    seen.add(w.toString());
  }

  private static String withUserInfo(String url, String userInfo) {
    return url.replaceFirst("://", "://" + userInfo + "@");
  }

  @Test
  void aSecretInAUrlAHeaderOrAnAuthPayload_reachesNoLogExceptionToStringOrInspector()
      throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = System.err;
    PrintStream out = System.out;
    System.setErr(new PrintStream(tee(err, captured), true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(tee(out, captured), true, StandardCharsets.UTF_8));
    List<RecordedRequest> received = new CopyOnWriteArrayList<>();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (SocketIoTestServer sio = SocketIoTestServer.start();
        MockWebServer http = new MockWebServer()) {
      http.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              received.add(request);
              return new MockResponse.Builder().code(500).body("server trouble").build();
            }
          });
      http.start();
      ErrorHandler logging = ErrorHandler.logging();
      String realtimeAuth = secret("realtime auth payload");
      String apiKeyHeader = secret("X-Api-Key request header");
      String bearer = secret("Authorization supplier");
      String accessToken = secret("access_token parameter");
      String apiKey = secret("apikey parameter");
      RealtimeOptions realtime =
          RealtimeOptions.builder(
                  URI.create(
                      withUserInfo(sio.url(), "bob:" + secret("realtime URI user info"))
                          + "/?apikey="
                          + secret("realtime URI apikey")))
              .queryParam("access_token", secret("realtime access_token parameter"))
              .header("Authorization", "Bearer " + secret("realtime handshake header"))
              .auth(() -> Map.of("token", realtimeAuth))
              .build();
      Quarry quarry =
          Quarry.builder()
              .baseUrl(
                  withUserInfo(
                      http.url("/api/").toString(), "alice:" + secret("base URL user info")))
              .http(
                  h ->
                      h.header("X-Api-Key", apiKeyHeader)
                          .authorization(() -> Optional.of("Bearer " + bearer)))
              .realtime(realtime)
              .errorHandler(
                  (context, e) -> {
                    see(context);
                    see(e);
                    logging.handle(context, e);
                  })
              .build();
      // Every connection event, as a user would log it ("log.info("{}", e)"), and a listener
      // that fails on each one.
      quarry.realtime().onConnectionEvent(e -> see(e));
      quarry
          .realtime()
          .onConnectionEvent(
              e -> {
                throw new IllegalStateException("listener failed on " + e);
              });
      await().atMost(WAIT).until(() -> quarry.realtime().state() == ConnectionState.CONNECTED);

      // HTTP: a status error on a URL with secret query parameters, rethrown by an observer into
      // the error handler; an I/O error on an absolute URL with user info and a signature.
      QueryObserver<JsonNode> observer =
          quarry.observe(
              quarry.query(
                  QueryKey.of("items"),
                  h ->
                      h.get(
                          "items?access_token=" + accessToken + "&apikey=" + apiKey + "&page=2",
                          JsonNode.class)),
              r ->
                  r.error()
                      .ifPresent(
                          e -> {
                            throw new IllegalStateException("render failed", e);
                          }));
      Throwable status =
          catchThrowable(
              () ->
                  quarry
                      .http()
                      .get(
                          "items?access_token=" + accessToken + "&apikey=" + apiKey, JsonNode.class)
                      .get(10, TimeUnit.SECONDS));
      Throwable io =
          catchThrowable(
              () ->
                  quarry
                      .http()
                      .get(
                          "http://carol:"
                              + secret("absolute URL user info")
                              + "@127.0.0.1:"
                              + closedPort
                              + "/x?sig="
                              + secret("sig parameter")
                              + "&token="
                              + secret("token parameter"),
                          JsonNode.class)
                      .get(10, TimeUnit.SECONDS));
      see(status);
      see(io);
      await().atMost(WAIT).until(() -> seen.stream().anyMatch(s -> s.contains("render failed")));

      // A reconnect: the Reconnecting event names the endpoint of the next attempt.
      sio.dropTransport();
      await().atMost(WAIT).until(() -> seen.stream().anyMatch(s -> s.startsWith("Reconnecting")));
      await().atMost(WAIT).until(() -> quarry.realtime().state() == ConnectionState.CONNECTED);

      // Bad configuration: the messages name the bad value.
      String badBase = "http://u:" + secret("rejected base URL user info") + "@h/?token=x";
      see(catchThrowable(() -> JsonHttp.builder().baseUrl(badBase)));
      see(
          catchThrowable(
              () ->
                  RealtimeOptions.builder(
                          URI.create(
                              "ftp://u:"
                                  + secret("rejected realtime URI user info")
                                  + "@h/?apikey="
                                  + secret("rejected realtime URI apikey")))
                      .build()));

      // The inspector, and the toString of the parts.
      see(quarry.inspector().table());
      see(quarry.inspector().json());
      see(quarry.inspector().snapshot());
      see(quarry);
      see(quarry.http());
      see(quarry.realtime());
      see(realtime);
      see(quarry.queries());
      see(quarry.mutations());

      // After close: the errors of a closed client.
      observer.close();
      quarry.close();
      see(catchThrowable(() -> quarry.realtime().subscribe(Topic.of("t", "id", "1"))));
      see(catchThrowable(() -> quarry.realtime().emit("ping", Map.of())));
      see(
          catchThrowable(
              () ->
                  quarry
                      .http()
                      .get("items?access_token=" + accessToken, JsonNode.class)
                      .get(10, TimeUnit.SECONDS)));
    } finally {
      System.setErr(err);
      System.setOut(out);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    String all = String.join("\n", seen) + "\n" + logs;

    // The secrets were really sent (so the check below is not vacuous) ...
    assertThat(received).isNotEmpty();
    assertThat(received.get(0).getHeaders().get("X-Api-Key"))
        .isEqualTo(
            places.keySet().stream()
                .filter(k -> places.get(k).startsWith("X-Api-Key"))
                .findFirst()
                .orElseThrow());
    // ... the outputs talk about the failing URLs ...
    assertThat(logs).contains("uncaught error in").contains("HTTP 500");
    assertThat(all).contains("access_token=REDACTED").contains("127.0.0.1:" + closedPort);
    // ... and the marker is nowhere.
    List<String> leaked = new java.util.ArrayList<>();
    places.forEach(
        (secret, place) -> {
          if (count(all, secret) > 0) {
            leaked.add(place);
          }
        });
    System.out.println(
        "RELIABILITY | secrets in URLs, headers and auth payloads | injected="
            + places.size()
            + " | survived="
            + (places.size() - leaked.size())
            + " | lost="
            + leaked.size()
            + " | places: "
            + String.join(", ", places.values())
            + "; checked "
            + seen.size()
            + " outputs and "
            + logs.length()
            + " characters of log output; marker occurrences: "
            + count(all, MARKER)
            + (leaked.isEmpty() ? "" : "; leaked: " + leaked));
    assertThat(leaked).isEmpty();
    assertThat(all).doesNotContain(MARKER);
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static OutputStream tee(PrintStream original, ByteArrayOutputStream copy) {
    return new OutputStream() {
      @Override
      public void write(int c) {
        synchronized (copy) {
          copy.write(c);
        }
        original.write(c);
      }

      @Override
      public void write(byte[] buf, int off, int len) {
        synchronized (copy) {
          copy.write(buf, off, len);
        }
        original.write(buf, off, len);
      }
    };
  }
}
