package dev.quarry.testing.socketio;

import dev.quarry.testing.internal.ChildProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The copy of the test server's Node project that ships inside this jar: extracted into a cache
 * folder named after its content and installed there once with {@code npm ci}.
 *
 * <p>The cache folder is {@code <cache>/socketio-server/<digest>}, where {@code <cache>} is the
 * system property {@value #CACHE_DIR_PROPERTY} or {@code ~/.cache/quarry}. A folder is reused while
 * its install stamp matches; the cache keeps the {@value #KEEP} most recently used versions and
 * deletes older ones. Extraction and install hold a file lock, so parallel test JVMs install once.
 */
final class PackagedServer {
  /** System property naming the cache folder of the packaged test server. */
  static final String CACHE_DIR_PROPERTY = "quarry.socketio.cache.dir";

  static final String RESOURCE_DIR = "/dev/quarry/testing/socketio/server/";
  static final List<String> FILES =
      List.of("server.js", "install.js", "package.json", "package-lock.json", ".npmrc");
  static final int KEEP = 3;
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final int OUTPUT_LINES = 40;

  private PackagedServer() {}

  /** Whether this class path carries the packaged server. */
  static boolean available() {
    return PackagedServer.class.getResource(RESOURCE_DIR + "server.js") != null;
  }

  /**
   * Returns the folder of an installed copy, extracting and installing it first when needed.
   *
   * @throws IllegalStateException if the files cannot be written, or node or npm is missing, or
   *     {@code npm ci} fails (with the end of its output)
   */
  static Path install(String node) {
    return install(node, cacheRoot());
  }

  /** As {@link #install(String)}, into the cache folder {@code cache}. */
  static Path install(String node, Path cache) {
    List<byte[]> contents = new ArrayList<>();
    for (String file : FILES) {
      contents.add(read(file));
    }
    Path root = cache.resolve("socketio-server");
    Path dir = root.resolve(digest(contents));
    try {
      Files.createDirectories(root);
      try (FileChannel channel =
              FileChannel.open(
                  root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("socket.io"))
            || !Files.isRegularFile(dir.resolve("server.js"))) {
          Files.createDirectories(dir);
          for (int i = 0; i < FILES.size(); i++) {
            Path tmp = dir.resolve(FILES.get(i) + ".tmp");
            Files.write(tmp, contents.get(i));
            Files.move(tmp, dir.resolve(FILES.get(i)), StandardCopyOption.REPLACE_EXISTING);
          }
        }
        runInstall(node, dir);
        Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
        pruneOlderVersions(root, dir);
        lock.release();
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot install the socket.io test server into "
              + dir
              + ": "
              + e.getMessage()
              + " (set -D"
              + CACHE_DIR_PROPERTY
              + "=<writable folder>)",
          e);
    }
    return dir;
  }

  static Path cacheRoot() {
    String property = System.getProperty(CACHE_DIR_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath().normalize();
    }
    return Path.of(System.getProperty("user.home"), ".cache", "quarry");
  }

  private static byte[] read(String file) {
    try (InputStream in = PackagedServer.class.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) {
        throw new IllegalStateException(
            "the quarry-testing jar lacks " + RESOURCE_DIR + file + ": a broken build of it");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCE_DIR + file, e);
    }
  }

  private static String digest(List<byte[]> contents) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (byte[] content : contents) {
        sha.update(content);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Runs install.js (npm ci unless the stamp matches), bounded by a timeout. */
  private static void runInstall(String node, Path dir) throws IOException {
    Process process;
    try {
      process =
          new ProcessBuilder(node, "install.js")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "the socket.io test server needs Node.js 20 or later and npm on the PATH; '"
              + node
              + "' could not be run ("
              + e.getMessage()
              + ")",
          e);
    }
    process.getOutputStream().close();
    Deque<String> output = new ArrayDeque<>();
    Thread drain =
        ChildProcesses.drain(
            process.getInputStream(),
            "quarry-testserver-npm-" + process.pid(),
            line -> ChildProcesses.keepLast(output, line, OUTPUT_LINES),
            () -> {});
    boolean exited;
    try {
      exited = process.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ChildProcesses.kill(process, Duration.ofSeconds(5), drain);
      throw new IllegalStateException("interrupted while installing the socket.io test server", e);
    }
    if (!exited) {
      ChildProcesses.kill(process, Duration.ofSeconds(5), drain);
      throw new IllegalStateException(
          "npm ci for the socket.io test server in "
              + dir
              + " did not finish within "
              + INSTALL_TIMEOUT
              + ". Its output:\n"
              + String.join("\n", ChildProcesses.snapshot(output)));
    }
    ChildProcesses.join(Duration.ofSeconds(5), drain);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "installing the socket.io test server in "
              + dir
              + " failed (exit code "
              + process.exitValue()
              + "; it needs npm on the PATH and the npm registry or a warm npm cache). Its"
              + " output:\n"
              + String.join("\n", ChildProcesses.snapshot(output)));
    }
  }

  /** Keeps the {@link #KEEP} most recently used versions under {@code root}. */
  private static void pruneOlderVersions(Path root, Path current) throws IOException {
    List<Path> versions;
    try (Stream<Path> children = Files.list(root)) {
      versions =
          children
              .filter(Files::isDirectory)
              .filter(p -> !p.equals(current))
              .sorted(Comparator.comparing(PackagedServer::lastModified).reversed())
              .toList();
    }
    for (int i = KEEP - 1; i < versions.size(); i++) {
      deleteTree(versions.get(i));
    }
  }

  private static FileTime lastModified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
