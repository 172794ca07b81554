package dev.quarry.optimistic;

import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.http.JsonHttp;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * The child JVM of {@link OutboxKillTest}: goes offline, queues three persistent mutations, prints
 * {@code READY <idempotency keys>} once they are durably recorded, then waits to be killed (or
 * exits when its parent closes stdin).
 */
public final class OutboxChild {
  private OutboxChild() {}

  public static void main(String[] args) throws IOException {
    Path outbox = Path.of(args[0]);
    String baseUrl = args[1];
    Connectivity connectivity = Connectivity.create();
    connectivity.setOnline(false);
    JsonHttp http = JsonHttp.builder().baseUrl(baseUrl).build();
    MutationClient client =
        OutboxFixtures.client(outbox, http, connectivity, ErrorHandler.logging());
    for (int i = 1; i <= 3; i++) {
      client.mutate(
          OutboxFixtures.createEpisode(), new OutboxFixtures.NewEpisode("Episode " + i, i));
    }
    String keys =
        client.outboxRecords().stream()
            .map(OutboxRecord::idempotencyKey)
            .collect(Collectors.joining(","));
    System.out.println("READY " + keys);
    System.out.flush();
    // Blocks until killed; returns if the parent goes away and closes the pipe.
    while (System.in.read() >= 0) {
      // keep waiting
    }
  }
}
