package dev.quarry.examples.basics;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.quarry.Quarry;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonType;
import dev.quarry.examples.backend.StudioBackend;
import dev.quarry.examples.studio.AgentEvent;
import dev.quarry.examples.studio.Execution;
import dev.quarry.examples.studio.NewExecution;
import dev.quarry.realtime.Topic;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A live query: the events of an agent execution are fetched once over REST and then kept fresh by
 * socket.io: each {@code agent-event} is appended to the cached list. The topic is subscribed while
 * the query is observed; after a reconnect that lost events, the query is refetched.
 */
public final class LiveQueryExample {
  private static final JsonType<List<AgentEvent>> EVENTS = JsonType.of(new TypeReference<>() {});

  private LiveQueryExample() {}

  /** Runs the example against an embedded backend. */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  /** Runs the example, printing to {@code out}. */
  public static void run(PrintStream out) throws Exception {
    try (StudioBackend backend = StudioBackend.start();
        Quarry quarry =
            Quarry.builder()
                .baseUrl(backend.baseUrl().toString())
                .realtime(backend.socketUrl(), r -> r)
                .build()) {
      Execution x =
          quarry
              .http()
              .post(
                  "executions", new NewExecution("p1", "script-writer", "outline"), Execution.class)
              .get(10, TimeUnit.SECONDS);
      QueryKey key = QueryKey.of("executions", x.id(), "events");
      QueryOptions<List<AgentEvent>> events =
          quarry.query(key, http -> http.get("executions/" + x.id() + "/events", EVENTS));

      quarry
          .bind(Topic.of("execution", "executionId", x.id()))
          .append("agent-event", AgentEvent.class, key);

      CompletableFuture<List<AgentEvent>> all = new CompletableFuture<>();
      QueryObserver<List<AgentEvent>> view =
          quarry.observe(
              events,
              r ->
                  r.data()
                      .ifPresent(
                          list -> {
                            if (!list.isEmpty()) {
                              AgentEvent last = list.get(list.size() - 1);
                              out.println(list.size() + " events, last: " + last.message());
                            }
                            if (list.size() == 12) {
                              all.complete(list);
                            }
                          }));
      out.println("live: " + all.get(30, TimeUnit.SECONDS).size() + " events in the cache");
      view.close(); // the last observer leaves: the topic is unsubscribed
    }
  }
}
