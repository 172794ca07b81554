package dev.quarry.examples.basics;

import dev.quarry.Quarry;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.examples.backend.StudioBackend;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.NewEpisode;
import dev.quarry.examples.studio.Page;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An optimistic mutation, as with React Query's {@code useMutation} plus an optimistic update,
 * declared with {@link MutationOptions.Builder#optimistic}: the draft is shown in the cached list
 * at once as a layer over the server's data; when the server refuses, only that layer is removed;
 * after settling the list is invalidated so that the server's version is fetched again.
 */
public final class OptimisticMutationExample {
  private OptimisticMutationExample() {}

  /** Runs the example against an embedded backend. */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  /** Runs the example, printing to {@code out}. */
  public static void run(PrintStream out) throws Exception {
    try (StudioBackend backend = StudioBackend.start();
        Quarry quarry = Quarry.builder().baseUrl(backend.baseUrl().toString()).build()) {
      backend.faults().refuseCreates("(?i)untitled", 422, "an episode needs a real title");
      QueryKey key = QueryKey.of("projects", "p1", "episodes");
      QueryOptions<Page<Episode>> episodes =
          quarry.query(key, http -> http.get("projects/p1/episodes", QueryExample.EPISODES));
      quarry.fetch(episodes).get(10, TimeUnit.SECONDS);

      MutationObserver<NewEpisode, Episode, Void> create =
          quarry.mutation(
              MutationOptions.<NewEpisode, Episode, Void>builder()
                  .mutationFn(
                      (in, ctx) -> ctx.http().post("projects/p1/episodes", in, Episode.class))
                  .<Page<Episode>>optimistic(
                      in -> key,
                      (page, in) -> page.map(p -> p.plus(Episode.draft(in, p.totalDocs() + 1))))
                  .onError((error, in, ctx) -> out.println("refused: " + error))
                  .build());

      // The observer shows every version of the list: the draft at once, then the server's answer.
      try (QueryObserver<Page<Episode>> view =
          quarry.observe(
              episodes, r -> r.data().ifPresent(p -> out.println("shown: " + titles(p))))) {
        Episode pilot = create.mutate(new NewEpisode("p1", "Pilot")).get(10, TimeUnit.SECONDS);
        out.println("confirmed: " + pilot.id() + " " + pilot.title());
        try {
          create.mutate(new NewEpisode("p1", "Untitled")).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          out.println(
              "rolled back: " + titles(quarry.<Page<Episode>>getQueryData(key).orElseThrow()));
        }
      }
    }
  }

  private static List<String> titles(Page<Episode> page) {
    return page.docs().stream().map(Episode::title).toList();
  }
}
