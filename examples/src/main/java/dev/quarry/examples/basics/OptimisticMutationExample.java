package dev.quarry.examples.basics;

import dev.quarry.Quarry;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.examples.backend.StudioBackend;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.NewEpisode;
import dev.quarry.examples.studio.Page;
import dev.quarry.optimistic.Mutation;
import dev.quarry.optimistic.MutationOptions;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An optimistic mutation, as with React Query's {@code useMutation}: {@code onMutate} puts a draft
 * into the cached list and returns the previous list; {@code onError} restores it; {@code
 * onSettled} invalidates the list so that the server's version is fetched again.
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

      Mutation<NewEpisode, Episode, Optional<Page<Episode>>> create =
          quarry.mutation(
              MutationOptions.<NewEpisode, Episode, Optional<Page<Episode>>>builder()
                  .mutationFn(
                      (in, ctx) -> ctx.http().post("projects/p1/episodes", in, Episode.class))
                  .onMutate(
                      (in, ctx) -> {
                        Optional<Page<Episode>> previous = quarry.getQueryData(key);
                        quarry.<Page<Episode>>updateQueryData(
                            key, page -> page.plus(Episode.draft(in, page.totalDocs() + 1)));
                        out.println("shown at once: " + titles(quarry, key));
                        return previous;
                      })
                  .onError(
                      (error, in, previous) -> {
                        previous.flatMap(p -> p).ifPresent(p -> quarry.setQueryData(key, p));
                        out.println("rolled back: " + titles(quarry, key));
                      })
                  .onSettledAsync((data, error, in, previous) -> quarry.invalidate(key))
                  .build());

      Episode pilot = create.mutate(new NewEpisode("p1", "Pilot")).get(10, TimeUnit.SECONDS);
      out.println("confirmed: " + pilot.id() + " " + pilot.title());
      try {
        create.mutate(new NewEpisode("p1", "Untitled")).get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        out.println("refused: " + e.getCause());
      }
    }
  }

  private static Object titles(Quarry quarry, QueryKey key) {
    return quarry
        .<Page<Episode>>getQueryData(key)
        .map(p -> p.docs().stream().map(Episode::title).toList())
        .orElseThrow();
  }
}
