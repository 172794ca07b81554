package dev.quarry.examples.spring;

import dev.quarry.Quarry;
import dev.quarry.examples.StudioClient;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.Execution;
import dev.quarry.examples.studio.NewEpisode;
import dev.quarry.examples.studio.NewExecution;
import dev.quarry.examples.studio.Page;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The BFF's REST API. Reads are served through Quarry's cache (one request to the studio backend
 * per minute per list, however many clients ask; concurrent requests share one fetch); the create
 * is Quarry's optimistic, durable mutation; the agent-event counts come from socket.io.
 *
 * <pre>
 * GET  /projects/{id}/episodes      the project's episodes (cached)
 * POST /projects/{id}/episodes      {"title": "..."}: creates an episode
 * POST /executions                  {"projectId","agent","prompt"}: starts an agent, watches it
 * GET  /executions/{id}/agent-events {"executionId", "agentEvents"}: events received live
 * GET  /agent-events                {"agentEvents"}: every agent event received
 * </pre>
 *
 * <p>Responses are asynchronous ({@code CompletableFuture}): no request thread waits for the
 * backend. A backend failure becomes a 500 from Spring's default error handling.
 */
@RestController
public class StudioController {
  private final Quarry quarry;
  private final StudioClient studio;
  private final AgentEventCounter agentEvents;

  /** Spring creates it. */
  public StudioController(Quarry quarry, StudioClient studio, AgentEventCounter agentEvents) {
    this.quarry = quarry;
    this.studio = studio;
    this.agentEvents = agentEvents;
  }

  /** The project's episodes, from the cache while fresh. */
  @GetMapping("/projects/{projectId}/episodes")
  public CompletableFuture<Page<Episode>> episodes(@PathVariable("projectId") String projectId) {
    return quarry.fetch(studio.episodes(projectId));
  }

  /** Creates an episode; the cached list shows it at once and is refetched after. */
  @PostMapping("/projects/{projectId}/episodes")
  public CompletableFuture<Episode> createEpisode(
      @PathVariable("projectId") String projectId, @RequestBody Map<String, String> body) {
    String title = body.getOrDefault("title", "");
    return quarry.mutation(studio.createEpisode()).mutate(new NewEpisode(projectId, title));
  }

  /** Starts an agent execution and watches its events. */
  @PostMapping("/executions")
  public CompletableFuture<Execution> startExecution(@RequestBody NewExecution request) {
    return studio
        .startExecution(request)
        .thenApply(
            execution -> {
              agentEvents.watch(execution.id());
              return execution;
            });
  }

  /** How many agent events of one execution arrived. */
  @GetMapping("/executions/{executionId}/agent-events")
  public Map<String, Object> agentEvents(@PathVariable("executionId") String executionId) {
    return Map.of("executionId", executionId, "agentEvents", agentEvents.of(executionId));
  }

  /** How many agent events arrived in all. */
  @GetMapping("/agent-events")
  public Map<String, Object> allAgentEvents() {
    return Map.of("agentEvents", agentEvents.total());
  }
}
