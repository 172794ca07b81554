package dev.quarry.testing.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;

/**
 * Calls the test server's control API: one short HTTP/1.1 exchange per call, {@code Connection:
 * close}, on the calling thread (no client threads, no keep-alive cache thread), with bounded
 * connect and read timeouts.
 */
final class ControlClient {
  private final ObjectMapper json;
  private final Duration timeout;

  ControlClient(ObjectMapper json, Duration timeout) {
    this.json = json;
    this.timeout = timeout;
  }

  JsonNode call(int controlPort, String method, String route, Object body) {
    String target = method + " /control/" + route;
    HttpURLConnection connection;
    try {
      connection =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + controlPort + "/control/" + route)
                  .toURL()
                  .openConnection();
    } catch (IOException e) {
      throw new IllegalStateException("test server control call " + target + " failed", e);
    }
    try {
      connection.setRequestMethod(method);
      connection.setConnectTimeout((int) timeout.toMillis());
      connection.setReadTimeout((int) timeout.toMillis());
      connection.setUseCaches(false);
      connection.setRequestProperty("Connection", "close");
      if (method.equals("POST")) {
        byte[] bytes = json.writeValueAsBytes(body);
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(bytes.length);
        connection.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = connection.getOutputStream()) {
          out.write(bytes);
        }
      }
      int status = connection.getResponseCode();
      InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      JsonNode reply;
      try (InputStream stream = in) {
        reply = stream == null ? json.createObjectNode() : json.readTree(stream);
      }
      if (status != 200 || !reply.path("ok").asBoolean(true)) {
        throw new IllegalStateException(
            "test server control call "
                + target
                + " failed with HTTP "
                + status
                + ": "
                + reply.path("error").asText(reply.toString()));
      }
      return reply;
    } catch (IOException e) {
      throw new IllegalStateException(
          "test server control call " + target + " failed: " + e.getMessage(), e);
    } finally {
      connection.disconnect();
    }
  }
}
