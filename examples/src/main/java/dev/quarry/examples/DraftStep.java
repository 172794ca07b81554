package dev.quarry.examples;

import dev.quarry.Quarry;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QueryResult;
import dev.quarry.cache.SseSource;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonType;
import dev.quarry.examples.backend.StudioBackend;
import dev.quarry.examples.studio.DraftToken;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The demo's streamed query: an agent's draft arrives token by token over server-sent events; the
 * backend cuts the stream mid-way and the source resumes it with {@code Last-Event-ID}, so no token
 * is lost or repeated.
 */
final class DraftStep {
  private DraftStep() {}

  static void run(int number, Quarry quarry, Optional<StudioBackend> backend, Narrator n) {
    n.step(number, "A draft streamed token by token (server-sent events, cut and resumed)");
    backend.ifPresent(
        b -> {
          b.drafts().cutNextAfter(5);
          n.say("the backend will cut the stream after 5 tokens");
        });
    SseSource<DraftToken> tokens =
        SseSource.builder("drafts/x-demo", JsonType.of(DraftToken.class))
            .connectionListener(
                (reconnect, lastEventId) -> {
                  if (reconnect > 0) {
                    n.from("sse", "stream broke; reconnecting with Last-Event-ID: " + lastEventId);
                  }
                })
            .build();
    QueryOptions<List<DraftToken>> draft =
        quarry.streams().query(QueryKey.of("draft", "x-demo"), tokens);
    Waiter<QueryResult<List<DraftToken>>> results = new Waiter<>("the streamed draft");
    QueryObserver<List<DraftToken>> observer =
        quarry.observe(
            draft,
            r -> {
              r.data()
                  .filter(d -> !d.isEmpty())
                  .ifPresent(
                      d ->
                          n.from(
                              "draft " + d.size() + (r.isFetching() ? " (streaming)" : " (done)"),
                              text(d)));
              results.accept(r);
            });
    try {
      QueryResult<List<DraftToken>> done =
          results.until(
              r -> r.fetchStatus() == FetchStatus.IDLE && (r.isSuccess() || r.isError()),
              Duration.ofSeconds(30),
              "the end of the stream");
      if (done.isError()) {
        throw new DemoException("the draft stream failed: " + done.error().orElseThrow());
      }
      List<Integer> ids = done.data().orElseThrow().stream().map(DraftToken::index).toList();
      List<Integer> expected = IntStream.rangeClosed(1, ids.size()).boxed().toList();
      if (!ids.equals(expected)) {
        throw new DemoException("tokens lost or repeated: " + ids);
      }
      n.say(
          ids.size()
              + " tokens, ids 1.."
              + ids.size()
              + " in order: none lost, none repeated"
              + backend.map(b -> " (" + b.drafts().streams() + " HTTP streams)").orElse(""));
    } finally {
      observer.close();
    }
  }

  private static String text(List<DraftToken> tokens) {
    return tokens.stream().map(DraftToken::text).collect(Collectors.joining()).strip();
  }
}
