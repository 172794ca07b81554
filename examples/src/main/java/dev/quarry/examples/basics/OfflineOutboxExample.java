package dev.quarry.examples.basics;

import dev.quarry.Quarry;
import dev.quarry.core.QueryKey;
import dev.quarry.examples.backend.StudioBackend;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.EpisodePatch;
import dev.quarry.examples.studio.RenameEpisode;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The offline outbox: with {@code persistence(dir)}, a persistent mutation is written to the outbox
 * before it runs; made while offline, it pauses (kept on disk, surviving a restart) and is sent
 * once, with its {@code Idempotency-Key}, when connectivity returns.
 */
public final class OfflineOutboxExample {
  private static final QueryKey RENAME = QueryKey.of("episodes", "rename");

  private OfflineOutboxExample() {}

  /** Runs the example against an embedded backend. */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  /** Runs the example, printing to {@code out}. */
  public static void run(PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory("quarry-outbox-");
    try (StudioBackend backend = StudioBackend.start();
        Quarry quarry =
            Quarry.builder().baseUrl(backend.baseUrl().toString()).persistence(dir).build()) {
      MutationObserver<RenameEpisode, Episode, Void> rename =
          quarry.mutation(
              MutationOptions.<RenameEpisode, Episode, Void>builder()
                  .mutationKey(RENAME)
                  .variablesType(RenameEpisode.class)
                  .persistent(true)
                  .mutationFn(
                      (in, ctx) ->
                          ctx.http()
                              .patch(
                                  "episodes/" + in.episodeId(),
                                  new EpisodePatch(in.title()),
                                  Episode.class))
                  .build());

      CompletableFuture<Boolean> paused = new CompletableFuture<>();
      rename.subscribe(
          state -> {
            if (state.isPaused()) {
              paused.complete(true);
            }
          });
      quarry.connectivity().setOnline(false);
      CompletableFuture<Episode> done =
          rename.mutate(new RenameEpisode("p1", "ep3", "Low Tide (final)"));
      out.println("offline: paused=" + paused.get(10, TimeUnit.SECONDS) + ", outbox in " + dir);
      out.println("requests while offline: " + backend.requestCount("PATCH /api/episodes/ep3"));

      quarry.connectivity().setOnline(true);
      Episode e = done.get(10, TimeUnit.SECONDS);
      out.println("online: sent, the server says \"" + e.title() + "\"");
      out.println("requests: " + backend.requestCount("PATCH /api/episodes/ep3"));
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
