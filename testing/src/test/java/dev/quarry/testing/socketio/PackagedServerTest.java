package dev.quarry.testing.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server copy inside the jar, as a project outside Quarry's source tree uses it. */
class PackagedServerTest {
  @TempDir Path cache;

  @Test
  void theJarCarriesTheServerItsManifestAndItsLockFile() {
    assertThat(PackagedServer.available()).isTrue();
    for (String file : PackagedServer.FILES) {
      assertThat(PackagedServer.class.getResource(PackagedServer.RESOURCE_DIR + file))
          .as(file)
          .isNotNull();
    }
  }

  @Test
  void installsIntoTheCacheOnce_andTheInstalledCopyServes() throws Exception {
    Path dir = PackagedServer.install("node", cache);

    assertThat(dir.getParent()).isEqualTo(cache.resolve("socketio-server"));
    assertThat(dir.resolve("node_modules").resolve("socket.io")).isDirectory();
    Path stamp = dir.resolve("node_modules").resolve(".quarry-install-stamp");
    FileTime installed = Files.getLastModifiedTime(stamp);
    assertThat(PackagedServer.install("node", cache)).isEqualTo(dir);
    assertThat(Files.getLastModifiedTime(stamp)).isEqualTo(installed);

    try (SocketIoTestServer server =
        SocketIoTestServer.start(SocketIoTestServer.Options.builder().serverDir(dir).build())) {
      assertThat(server.state().handshakes()).isZero();
    }
  }

  @Test
  void keepsOnlyTheMostRecentlyUsedVersions() throws Exception {
    Path root = cache.resolve("socketio-server");
    for (int i = 0; i < 5; i++) {
      Path old = Files.createDirectories(root.resolve("old" + i));
      Files.setLastModifiedTime(old, FileTime.fromMillis(1_000L * i));
    }

    Path dir = PackagedServer.install("node", cache);

    try (var children = Files.list(root)) {
      assertThat(children.filter(Files::isDirectory).map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(dir.getFileName().toString(), "old4", "old3");
    }
  }

  @Test
  void withoutNode_saysWhatIsMissing() {
    assertThatThrownBy(() -> PackagedServer.install("/nonexistent/node", cache))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Node.js 20 or later and npm on the PATH")
        .hasMessageContaining("/nonexistent/node");
  }
}
