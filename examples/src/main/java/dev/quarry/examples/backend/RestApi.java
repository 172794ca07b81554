package dev.quarry.examples.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.Notification;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API under {@code /api/}. Requests are counted per {@code "METHOD /path"}; a response is
 * computed when the configured latency has passed (on the scheduler, no thread waits), so
 * concurrent requests each see the latency once.
 */
final class RestApi implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
  private static final int DEFAULT_LIMIT = 20;

  private final StudioData data;
  private final Faults faults;
  private final ObjectMapper mapper;
  private final ScheduledExecutorService scheduler;
  private final AgentRunner agents;
  private final Consumer<Notification> notifications;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Response>> idempotent = new ConcurrentHashMap<>();
  private final Map<String, List<String>> keysSeen = new ConcurrentHashMap<>();

  RestApi(
      StudioData data,
      Faults faults,
      ObjectMapper mapper,
      ScheduledExecutorService scheduler,
      AgentRunner agents,
      Consumer<Notification> notifications) {
    this.data = data;
    this.faults = faults;
    this.mapper = mapper;
    this.scheduler = scheduler;
    this.agents = agents;
    this.notifications = notifications;
  }

  /** A response: status and JSON body. */
  record Response(int status, Object body) {
    static Response ok(Object body) {
      return new Response(200, body);
    }

    static Response created(Object body) {
      return new Response(201, body);
    }

    static Response error(int status, String message) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", message);
      body.put("status", status);
      return new Response(status, body);
    }
  }

  int count(String methodAndPath) {
    AtomicInteger c = counts.get(methodAndPath);
    return c == null ? 0 : c.get();
  }

  List<String> idempotencyKeys(String methodAndPath) {
    return List.copyOf(keysSeen.getOrDefault(methodAndPath, List.of()));
  }

  Map<String, Integer> counts() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    counts.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).incrementAndGet();
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    Optional<Integer> failure = faults.takeFailure(path);
    String idempotencyKey = exchange.getRequestHeaders().getFirst("Idempotency-Key");
    if (idempotencyKey != null) {
      keysSeen
          .computeIfAbsent(
              method + " " + path, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(idempotencyKey);
    }
    Duration latency = faults.latency();
    Runnable respond =
        () -> {
          Response r;
          if (failure.isPresent()) {
            r = Response.error(failure.get(), "injected failure for " + method + " " + path);
          } else if (method.equals("POST") && idempotencyKey != null) {
            CompletableFuture<Response> mine = new CompletableFuture<>();
            CompletableFuture<Response> first =
                idempotent.putIfAbsent(method + " " + path + " " + idempotencyKey, mine);
            if (first == null) {
              mine.complete(route(exchange, method, path, body));
              first = mine;
            }
            // the first request's result, once it exists, is the answer to every replay
            CompletableFuture<Void> unused = first.thenAccept(resp -> send(exchange, resp));
            return;
          } else {
            r = route(exchange, method, path, body);
          }
          send(exchange, r);
        };
    if (latency.isZero()) {
      respond.run();
    } else {
      // answered by the scheduled task; close() stops the scheduler (and its pending answers)
      java.util.concurrent.ScheduledFuture<?> unused =
          scheduler.schedule(respond, latency.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void send(HttpExchange exchange, Response r) {
    try (exchange) {
      byte[] bytes = mapper.writeValueAsBytes(r.body());
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(r.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not answer {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
    }
  }

  private Response route(HttpExchange exchange, String method, String path, byte[] body) {
    try {
      return dispatch(method, path, query(exchange), json(body));
    } catch (BadRequest e) {
      return Response.error(400, e.reason);
    } catch (RuntimeException e) {
      LOG.warn("{} {} failed", method, path, e);
      return Response.error(500, "internal error: " + e);
    }
  }

  private Response dispatch(String method, String path, Map<String, String> q, JsonNode in) {
    List<String> s = List.of(path.replaceFirst("^/api/?", "").split("/"));
    int page = intParam(q, "page", 1);
    int limit = intParam(q, "limit", DEFAULT_LIMIT);
    String what = s.get(0);
    int n = s.size();
    if (what.equals("projects")) {
      if (n == 1 && method.equals("GET")) {
        return Response.ok(data.projects(page, limit));
      }
      if (n == 1 && method.equals("POST")) {
        String title = text(in, "title");
        return refusal(title)
            .orElseGet(
                () -> Response.created(data.addProject(title, in.path("description").asText(""))));
      }
      String projectId = s.get(1);
      if (data.project(projectId).isEmpty()) {
        return Response.error(404, "no project " + projectId);
      }
      if (n == 2 && method.equals("GET")) {
        return Response.ok(data.project(projectId).orElseThrow());
      }
      if (n == 3) {
        Optional<Response> r =
            switch (s.get(2) + " " + method) {
              case "episodes GET" ->
                  Optional.of(Response.ok(data.episodes(projectId, page, limit)));
              case "episodes POST" -> Optional.of(createEpisode(projectId, text(in, "title")));
              case "characters GET" ->
                  Optional.of(Response.ok(data.characters(projectId, page, limit)));
              case "characters POST" -> {
                String name = text(in, "name");
                String role = in.path("role").asText("");
                yield Optional.of(
                    refusal(name)
                        .orElseGet(
                            () -> Response.created(data.addCharacter(projectId, name, role))));
              }
              case "conversations GET" ->
                  Optional.of(Response.ok(data.conversations(projectId, page, limit)));
              case "conversations POST" -> {
                String title = text(in, "title");
                yield Optional.of(
                    refusal(title)
                        .orElseGet(() -> Response.created(data.addConversation(projectId, title))));
              }
              case "executions GET" ->
                  Optional.of(Response.ok(data.executions(projectId, page, limit)));
              default -> Optional.empty();
            };
        if (r.isPresent()) {
          return r.get();
        }
      }
    } else if (what.equals("episodes") && n >= 2) {
      String episodeId = s.get(1);
      Optional<Episode> episode = data.episode(episodeId);
      if (episode.isEmpty()) {
        return Response.error(404, "no episode " + episodeId);
      }
      if (n == 2 && method.equals("GET")) {
        return Response.ok(episode.get());
      }
      if (n == 2 && method.equals("PATCH")) {
        String title = text(in, "title");
        return Response.ok(data.updateEpisode(episodeId, e -> e.withTitle(title)).orElseThrow());
      }
      if (n == 3 && s.get(2).equals("scenes") && method.equals("GET")) {
        return Response.ok(data.scenes(episodeId, page, limit));
      }
      if (n == 3 && s.get(2).equals("scenes") && method.equals("POST")) {
        String title = text(in, "title");
        return refusal(title).orElseGet(() -> Response.created(data.addScene(episodeId, title)));
      }
    } else if (what.equals("executions")) {
      if (n == 1 && method.equals("POST")) {
        String projectId = text(in, "projectId");
        if (data.project(projectId).isEmpty()) {
          return Response.error(404, "no project " + projectId);
        }
        return Response.created(agents.start(projectId, in.path("agent").asText("script-writer")));
      }
      if (n == 3 && s.get(2).equals("events") && method.equals("GET")) {
        return data.execution(s.get(1)).isEmpty()
            ? Response.error(404, "no execution " + s.get(1))
            : Response.ok(data.events(s.get(1)));
      }
      if (n == 2 && method.equals("GET")) {
        return data.execution(s.get(1))
            .map(Response::ok)
            .orElseGet(() -> Response.error(404, "no execution " + s.get(1)));
      }
    }
    return Response.error(404, "no route for " + method + " " + path);
  }

  private Response createEpisode(String projectId, String title) {
    return refusal(title)
        .orElseGet(
            () -> {
              Episode e = data.addEpisode(projectId, title);
              notifications.accept(
                  new Notification(
                      data.newId("n"),
                      "info",
                      "Episode " + e.number() + " \"" + e.title() + "\" created"));
              return Response.created(e);
            });
  }

  private Optional<Response> refusal(String title) {
    return faults.refusalFor(title).map(r -> Response.error(r.status(), r.message()));
  }

  private JsonNode json(byte[] body) {
    if (body.length == 0) {
      return MissingNode.getInstance();
    }
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw new BadRequest("body is not JSON: " + e.getMessage());
    }
  }

  private static String text(JsonNode in, String field) {
    JsonNode v = in.path(field);
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new BadRequest("field '" + field + "' is required (a non-blank string)");
    }
    return v.asText();
  }

  private static int intParam(Map<String, String> q, String name, int fallback) {
    String v = q.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      int i = Integer.parseInt(v);
      if (i < 1) {
        throw new BadRequest("query parameter '" + name + "' must be >= 1, got " + v);
      }
      return i;
    } catch (NumberFormatException e) {
      throw new BadRequest("query parameter '" + name + "' must be a number, got " + v);
    }
  }

  private static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** A request the API cannot make sense of; answered with 400. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final String reason;

    BadRequest(String reason) {
      super(reason);
      this.reason = reason;
    }
  }
}
