package com.example.modular;

import com.example.todos.FirstApp;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.Quarry;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.RecordingListener;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs README.md's first app and a realtime round trip with every jar on the module path, and
 * fails (an exception, so a non-zero exit) when something is off. It returns from main without
 * System.exit: the build's timeout fails the run if a thread keeps the JVM alive.
 */
public final class ModulePathMain {
  private ModulePathMain() {}

  public static void main(String[] args) throws Exception {
    expectModule(ModulePathMain.class, "com.example.modular");
    expectModule(Quarry.class, "dev.quarry.sdk");
    expectModule(RealtimeClient.class, "dev.quarry.realtime");
    expectModule(SocketIoTestServer.class, "dev.quarry.testing");
    expectModule(okhttp3.OkHttpClient.class, "okhttp3");

    firstApp();
    realtime();
    System.out.println("module path run: ok");
  }

  private static void firstApp() throws Exception {
    try (TodoApi api = new TodoApi()) {
      PrintStream stdout = System.out;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        FirstApp.main(new String[] {api.baseUrl()});
      } finally {
        System.setOut(stdout);
      }
      String out = captured.toString(StandardCharsets.UTF_8);
      System.out.print(out);
      for (String line :
          List.of(
              "fetched: [Todo[id=t1, title=Buy milk]]",
              "shown: [Todo[id=t1, title=Buy milk], Todo[id=draft, title=Write docs]]",
              "saved: Todo[id=t2, title=Write docs]",
              "shown: [Todo[id=t1, title=Buy milk], Todo[id=t2, title=Write docs]]")) {
        if (!out.contains(line)) {
          throw new AssertionError("the first app did not print '" + line + "'; it printed:\n" + out);
        }
      }
      List<String> requests = api.requests;
      int post = requests.indexOf("POST /api/todos");
      if (post < 0 || !requests.subList(post, requests.size()).contains("GET /api/todos")) {
        throw new AssertionError("expected a POST and a refetch after it, got " + requests);
      }
    }
  }

  private static void realtime() throws Exception {
    try (SocketIoTestServer server = SocketIoTestServer.start();
        RealtimeClient client =
            RealtimeClient.create(RealtimeOptions.builder(URI.create(server.url())).build())) {
      client.connect();
      Map<String, String> params = Map.of("listId", "l1");
      TopicSubscription topic = client.subscribe(Topic.of("todos", params));
      RecordingListener<JsonNode> events = new RecordingListener<>();
      topic.on("todo-created", JsonNode.class, events::accept);
      topic.confirmed().get(10, TimeUnit.SECONDS);
      server.emit(
          SocketIoTestServer.roomOf(params),
          "todo-created",
          Map.of("listId", "l1", "id", "t2", "title", "Write docs"));
      String title = events.next(Duration.ofSeconds(10)).get("title").asText();
      if (!title.equals("Write docs")) {
        throw new AssertionError("the realtime event carried " + title);
      }
      System.out.println("realtime event: " + title);
    }
  }

  private static void expectModule(Class<?> type, String module) {
    String actual = type.getModule().getName();
    if (!module.equals(actual)) {
      throw new AssertionError(
          type.getName() + " is in module " + actual + ", expected " + module
              + ": this run is not on the module path");
    }
  }
}
