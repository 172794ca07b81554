package com.example.modular;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A tiny in-process todo API on 127.0.0.1: GET and POST /api/todos. */
final class TodoApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<ObjectNode> todos = new ArrayList<>();
  final List<String> requests = new CopyOnWriteArrayList<>();

  TodoApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/todos", this::handle);
    add("t1", "Buy milk");
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
  }

  private synchronized ObjectNode add(String id, String title) {
    ObjectNode todo = JSON.createObjectNode().put("id", id).put("title", title);
    todos.add(todo);
    return todo;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    requests.add(method + " " + path);
    byte[] body = exchange.getRequestBody().readAllBytes();
    int status = 200;
    Object answer;
    synchronized (this) {
      if (method.equals("GET") && path.equals("/api/todos")) {
        answer = new ArrayList<>(todos);
      } else if (method.equals("POST") && path.equals("/api/todos")) {
        answer = add("t" + (todos.size() + 1), JSON.readTree(body).get("title").asText());
      } else {
        status = 404;
        answer = JSON.createObjectNode().put("error", "no such route");
      }
    }
    byte[] out = JSON.writeValueAsString(answer).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, out.length);
    exchange.getResponseBody().write(out);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
