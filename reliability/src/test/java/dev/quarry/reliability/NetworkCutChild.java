package dev.quarry.reliability;

import dev.quarry.Quarry;
import dev.quarry.optimistic.MutationCacheEvent;
import dev.quarry.optimistic.OutboxRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The child JVM of {@link NetworkCutKillTest}: a {@link Quarry} facade whose network is cut (the
 * parent's fault proxy drops everything) while its connectivity still reads online. It makes the
 * persistent writes, waits until the first one's request has failed, prints {@code READY <outbox
 * keys>} and then waits to be killed (or exits when its parent closes stdin).
 *
 * <p>Arguments: the persistence directory, the base URL (the proxy), the number of writes.
 */
public final class NetworkCutChild {
  private NetworkCutChild() {}

  public static void main(String[] args)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    Path dir = Path.of(args[0]);
    int writes = Integer.parseInt(args[2]);
    Quarry quarry =
        Quarry.builder()
            .baseUrl(args[1])
            .http(h -> h.callTimeout(NetworkCutKillTest.CHILD_HTTP_TIMEOUT))
            .persistence(dir)
            .build();
    NetworkCutKillTest.registerDefaults(quarry);
    CompletableFuture<Integer> firstFailure = new CompletableFuture<>();
    quarry
        .mutations()
        .subscribe(
            event -> {
              if (event instanceof MutationCacheEvent.Updated u
                  && u.mutation().state().failureCount() > 0) {
                firstFailure.complete(u.mutation().state().failureCount());
              }
            });
    for (int i = 0; i < writes; i++) {
      quarry
          .mutation(NetworkCutKillTest.createEpisode())
          .mutate(new NetworkCutKillTest.NewEpisode("Episode " + i, i));
    }
    firstFailure.get(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS);
    String keys =
        quarry.mutations().outboxRecords().stream()
            .map(OutboxRecord::idempotencyKey)
            .collect(Collectors.joining(","));
    System.out.println("READY " + keys);
    System.out.flush();
    // Blocks until killed; returns if the parent goes away and closes the pipe.
    while (System.in.read() >= 0) {
      // keep waiting
    }
    quarry.close();
  }
}
