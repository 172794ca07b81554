package dev.quarry.examples;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.quarry.Quarry;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonType;
import dev.quarry.examples.studio.AgentEvent;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.EpisodePatch;
import dev.quarry.examples.studio.Execution;
import dev.quarry.examples.studio.NewEpisode;
import dev.quarry.examples.studio.NewExecution;
import dev.quarry.examples.studio.Page;
import dev.quarry.examples.studio.Project;
import dev.quarry.examples.studio.RenameEpisode;
import dev.quarry.optimistic.MutationOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The studio's typed client on a {@link Quarry}: query keys, query options and mutation options for
 * projects, episodes and agent executions (the web plan's {@code useProjects}, {@code useEpisodes},
 * {@code useCreateEpisode} ...).
 *
 * <pre>{@code
 * StudioClient studio = new StudioClient(quarry);
 * quarry.fetch(studio.episodes("p1")).thenAccept(page -> show(page.docs()));
 * quarry.mutation(studio.createEpisode()).mutate(new NewEpisode("p1", "Pilot"));
 * }</pre>
 *
 * <p>Each query function counts its runs ({@link #fetchCount(QueryKey)}), so that a program can
 * show how many requests the cache actually made. Thread-safe.
 */
public final class StudioClient {
  /** A page of projects. */
  public static final JsonType<Page<Project>> PROJECTS = JsonType.of(new TypeReference<>() {});

  /** A page of episodes. */
  public static final JsonType<Page<Episode>> EPISODES = JsonType.of(new TypeReference<>() {});

  /** The events of an execution. */
  public static final JsonType<List<AgentEvent>> EVENTS = JsonType.of(new TypeReference<>() {});

  private final Quarry quarry;
  private final Map<QueryKey, AtomicInteger> fetches = new ConcurrentHashMap<>();

  /** A client on {@code quarry}, whose base URL is the studio API. */
  public StudioClient(Quarry quarry) {
    this.quarry = quarry;
  }

  /** {@code ["projects"]}. */
  public static QueryKey projectsKey() {
    return QueryKey.of("projects");
  }

  /** {@code ["projects", id, "episodes"]}. */
  public static QueryKey episodesKey(String projectId) {
    return QueryKey.of("projects", projectId, "episodes");
  }

  /** {@code ["executions", id]}. */
  public static QueryKey executionKey(String executionId) {
    return QueryKey.of("executions", executionId);
  }

  /** {@code ["executions", id, "events"]}. */
  public static QueryKey eventsKey(String executionId) {
    return QueryKey.of("executions", executionId, "events");
  }

  /** The mutation key of episode creates. */
  public static final QueryKey CREATE_EPISODE = QueryKey.of("episodes", "create");

  /** The mutation key of episode renames. */
  public static final QueryKey RENAME_EPISODE = QueryKey.of("episodes", "rename");

  /** How many times the query function of {@code key} ran (requests the cache made). */
  public int fetchCount(QueryKey key) {
    AtomicInteger n = fetches.get(key);
    return n == null ? 0 : n.get();
  }

  private <T> QueryOptions<T> counted(QueryKey key, String path, JsonType<T> type) {
    return quarry.query(
        key,
        http -> {
          fetches.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
          return http.get(path, type);
        });
  }

  /** The first page of projects. */
  public QueryOptions<Page<Project>> projects() {
    return counted(projectsKey(), "projects", PROJECTS);
  }

  /** The first page of a project's episodes. */
  public QueryOptions<Page<Episode>> episodes(String projectId) {
    return counted(episodesKey(projectId), "projects/" + projectId + "/episodes", EPISODES);
  }

  /** An execution. */
  public QueryOptions<Execution> execution(String executionId) {
    return counted(
        executionKey(executionId), "executions/" + executionId, JsonType.of(Execution.class));
  }

  /** The events an execution has emitted so far. */
  public QueryOptions<List<AgentEvent>> events(String executionId) {
    return counted(eventsKey(executionId), "executions/" + executionId + "/events", EVENTS);
  }

  /** Starts an agent execution. */
  public CompletableFuture<Execution> startExecution(NewExecution request) {
    return quarry.http().post("executions", request, Execution.class);
  }

  /**
   * Creates an episode optimistically with a declared optimistic layer: on submit the client
   * cancels fetches of the project's episode list and lays a draft over it; if the server refuses,
   * only that layer is removed (other pending changes stay); once settled the list is invalidated
   * and refetched. Persistent: the create is in the outbox until it settles and is sent with an
   * {@code Idempotency-Key}, so a retry or a replay after a restart does not duplicate it.
   */
  public MutationOptions<NewEpisode, Episode, Void> createEpisode() {
    return MutationOptions.<NewEpisode, Episode, Void>builder()
        .mutationKey(CREATE_EPISODE)
        .variablesType(NewEpisode.class)
        .persistent(true)
        .mutationFn(
            (in, ctx) ->
                ctx.http().post("projects/" + in.projectId() + "/episodes", in, Episode.class))
        .<Page<Episode>>optimistic(
            in -> episodesKey(in.projectId()),
            (page, in) -> page.map(p -> p.plus(Episode.draft(in, p.totalDocs() + 1))))
        .build();
  }

  /**
   * Renames an episode, written the React Query way ({@code onMutate} changes the cached list and
   * returns the previous one, {@code onError} puts it back, {@code onSettled} invalidates): shown
   * at once, sent when online (a mutation made offline pauses, is kept in the outbox, and runs when
   * connectivity returns), refetched after.
   */
  public MutationOptions<RenameEpisode, Episode, Optional<Page<Episode>>> renameEpisode() {
    return MutationOptions.<RenameEpisode, Episode, Optional<Page<Episode>>>builder()
        .mutationKey(RENAME_EPISODE)
        .variablesType(RenameEpisode.class)
        .persistent(true)
        .mutationFn(
            (in, ctx) ->
                ctx.http()
                    .patch(
                        "episodes/" + in.episodeId(), new EpisodePatch(in.title()), Episode.class))
        .onMutate(
            (in, ctx) -> {
              QueryKey key = episodesKey(in.projectId());
              Optional<Page<Episode>> previous = quarry.getQueryData(key);
              quarry.<Page<Episode>>updateQueryData(
                  key,
                  page ->
                      page.map(e -> e.id().equals(in.episodeId()) ? e.withTitle(in.title()) : e));
              return previous;
            })
        .onError(
            (error, in, previous) ->
                previous
                    .flatMap(p -> p)
                    .ifPresent(page -> quarry.setQueryData(episodesKey(in.projectId()), page)))
        .onSettledAsync(
            (data, error, in, previous) -> quarry.invalidate(episodesKey(in.projectId())))
        .build();
  }
}
