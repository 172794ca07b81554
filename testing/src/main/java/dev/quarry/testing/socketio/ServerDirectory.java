package dev.quarry.testing.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Finds the Node project of the test server, and names rooms the way server.js does. */
final class ServerDirectory {
  private ServerDirectory() {}

  /**
   * The server's folder: {@link SocketIoTestServer.Options#serverDir()}, else the system property
   * {@value SocketIoTestServer#SERVER_DIR_PROPERTY}, else {@code testing/socketio-server} of the
   * Quarry source tree around the working directory (searched upwards through folders that hold a
   * {@code pom.xml}), else the copy packaged in this jar, installed into a cache folder.
   */
  static Path locate(SocketIoTestServer.Options options) {
    Path dir;
    String property = System.getProperty(SocketIoTestServer.SERVER_DIR_PROPERTY);
    if (options.serverDir().isPresent()) {
      dir = options.serverDir().get();
    } else if (property != null && !property.isBlank()) {
      dir = Path.of(property);
    } else {
      Path start = Path.of("").toAbsolutePath();
      Path found = inSourceTree(start);
      if (found == null) {
        if (!PackagedServer.available()) {
          throw new IllegalStateException(
              "cannot find the socket.io test server: it is not on the class path, and there is no"
                  + " testing/socketio-server/server.js in "
                  + start
                  + " or a parent folder; set -D"
                  + SocketIoTestServer.SERVER_DIR_PROPERTY
                  + "=<path to socketio-server>");
        }
        return PackagedServer.install(options.node());
      }
      dir = found;
    }
    dir = dir.toAbsolutePath().normalize();
    if (!Files.isRegularFile(dir.resolve("server.js"))) {
      throw new IllegalStateException("no server.js in the socket.io test server folder " + dir);
    }
    if (!Files.isDirectory(dir.resolve("node_modules").resolve("socket.io"))) {
      throw new IllegalStateException(
          "node_modules is missing in "
              + dir
              + ": run the build (npm ci runs in module testing: mvn -pl testing"
              + " generate-resources), or run npm ci in that folder");
    }
    return dir;
  }

  /** Searches upwards from {@code start} while folders hold a pom.xml (one Maven source tree). */
  private static @Nullable Path inSourceTree(Path start) {
    for (Path d = start;
        d != null && Files.isRegularFile(d.resolve("pom.xml"));
        d = d.getParent()) {
      Path candidate = d.resolve("testing").resolve("socketio-server");
      if (Files.isRegularFile(candidate.resolve("server.js"))) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * JSON with object keys sorted recursively and no spaces, as {@code canonical()} in server.js.
   */
  static String canonical(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      StringBuilder sb = new StringBuilder("{");
      for (String name : names) {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append(JsonNodeFactory.instance.textNode(name))
            .append(':')
            .append(canonical(node.get(name)));
      }
      return sb.append('}').toString();
    }
    if (node.isArray()) {
      StringBuilder sb = new StringBuilder("[");
      for (JsonNode element : node) {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append(canonical(element));
      }
      return sb.append(']').toString();
    }
    return node.toString();
  }
}
