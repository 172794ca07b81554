package dev.quarry.testing.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quarry.testing.fault.FaultProxy.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private EchoServer echo;
  private FaultProxy proxy;

  @BeforeEach
  void setUp() throws IOException {
    echo = new EchoServer();
    proxy = FaultProxy.start("127.0.0.1", echo.port());
  }

  @AfterEach
  void tearDown() throws IOException {
    proxy.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    s.setSoTimeout((int) WAIT.toMillis());
    s.setTcpNoDelay(true);
    return s;
  }

  private static byte[] roundTrip(Socket s, byte[] data) throws IOException {
    s.getOutputStream().write(data);
    s.getOutputStream().flush();
    return s.getInputStream().readNBytes(data.length);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void forward_echoesBytesBothWays_andCountsConnectionsAndBytes() throws IOException {
    byte[] big = new byte[200_000];
    new Random(1).nextBytes(big);
    try (Socket a = connect();
        Socket b = connect()) {
      assertThat(roundTrip(a, bytes("hello"))).isEqualTo(bytes("hello"));
      assertThat(roundTrip(b, big)).isEqualTo(big);
      await().atMost(WAIT).until(() -> proxy.stats().open() == 2);
    }
    FaultProxy.Stats stats = proxy.stats();
    assertThat(stats.accepted()).isEqualTo(2);
    assertThat(stats.bytesUpstream()).isEqualTo(5 + big.length);
    assertThat(stats.bytesDownstream()).isEqualTo(5 + big.length);
    assertThat(stats.bytesDropped()).isZero();
    await().atMost(WAIT).until(() -> proxy.stats().open() == 0);
  }

  @Test
  void latency_perDirection_delaysEveryRoundTripByAtLeastTheSum() throws IOException {
    proxy.latency(Direction.UPSTREAM, Duration.ofMillis(150));
    proxy.latency(Direction.DOWNSTREAM, Duration.ofMillis(100));
    try (Socket s = connect()) {
      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        assertThat(roundTrip(s, bytes("ping" + i))).isEqualTo(bytes("ping" + i));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("round trip with 150+100 ms latency").isGreaterThanOrEqualTo(245);
      }
      proxy.latency(Direction.UPSTREAM, Duration.ZERO).latency(Direction.DOWNSTREAM, Duration.ZERO);
      // Latency does not change the bytes or their order.
      byte[] data = new byte[50_000];
      new Random(2).nextBytes(data);
      assertThat(roundTrip(s, data)).isEqualTo(data);
    }
  }

  @Test
  void blackHole_dropsTrafficButKeepsTheConnectionOpen_untilHealed() throws IOException {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, bytes("before"))).isEqualTo(bytes("before"));
      proxy.blackHole(true);
      s.getOutputStream().write(bytes("lost"));
      s.setSoTimeout(300);
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      await().atMost(WAIT).until(() -> proxy.stats().bytesDropped() == 4);
      assertThat(s.isClosed()).isFalse();
      assertThat(proxy.stats().open()).isEqualTo(1);

      proxy.blackHole(false);
      s.setSoTimeout((int) WAIT.toMillis());
      assertThat(roundTrip(s, bytes("after"))).isEqualTo(bytes("after"));
    }
  }

  @Test
  void blackHole_appliesToNewConnectionsToo() throws IOException {
    proxy.blackHole(true);
    try (Socket s = connect()) {
      s.getOutputStream().write(bytes("x"));
      s.setSoTimeout(300);
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      assertThat(proxy.stats().accepted()).isEqualTo(1);
    }
  }

  @Test
  void resetAll_endsEveryOpenConnectionWithAReset() throws IOException {
    try (Socket a = connect();
        Socket b = connect()) {
      assertThat(roundTrip(a, bytes("a"))).isEqualTo(bytes("a"));
      assertThat(roundTrip(b, bytes("b"))).isEqualTo(bytes("b"));
      await().atMost(WAIT).until(() -> proxy.stats().open() == 2);

      assertThat(proxy.resetAll()).isEqualTo(2);

      for (Socket s : new Socket[] {a, b}) {
        InputStream in = s.getInputStream();
        assertThatThrownBy(
                () -> {
                  // A reset shows as "Connection reset"; a write first may be needed to see it.
                  s.getOutputStream().write(1);
                  in.read();
                  s.getOutputStream().write(1);
                  in.read();
                })
            .isInstanceOf(SocketException.class);
      }
      assertThat(proxy.stats().resets()).isEqualTo(2);
      assertThat(proxy.stats().open()).isZero();
    }
    // The proxy still accepts new connections afterwards.
    try (Socket c = connect()) {
      assertThat(roundTrip(c, bytes("c"))).isEqualTo(bytes("c"));
    }
  }

  @Test
  void bandwidth_capsThroughput_andKeepsTheBytesIntact() throws IOException {
    proxy.bandwidth(Direction.DOWNSTREAM, 100_000);
    byte[] data = new byte[60_000];
    new Random(3).nextBytes(data);
    try (Socket s = connect()) {
      long t0 = System.nanoTime();
      assertThat(roundTrip(s, data)).isEqualTo(data);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      // 60 kB at 100 kB/s takes about 0.6 s; the first slice goes out at once.
      assertThat(ms).as("60 kB at 100 kB/s").isGreaterThanOrEqualTo(450);
      proxy.bandwidth(Direction.DOWNSTREAM, 0);
      assertThat(roundTrip(s, data)).isEqualTo(data);
    }
  }

  @Test
  void refuseNewConnections_refusesConnects_keepsOpenOnes_andAcceptsAgainOnTheSamePort()
      throws IOException {
    try (Socket open = connect()) {
      assertThat(roundTrip(open, bytes("1"))).isEqualTo(bytes("1"));
      proxy.refuseNewConnections(true);
      assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
      assertThat(roundTrip(open, bytes("2"))).isEqualTo(bytes("2"));

      proxy.refuseNewConnections(false);
      try (Socket again = connect()) {
        assertThat(again.getPort()).isEqualTo(proxy.port());
        assertThat(roundTrip(again, bytes("3"))).isEqualTo(bytes("3"));
      }
    }
    assertThat(proxy.stats().accepted()).isEqualTo(2);
  }

  @Test
  void targetDown_closesTheClientConnection_andCountsTheFailure() throws IOException {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    try (FaultProxy toNowhere = FaultProxy.start("127.0.0.1", deadPort);
        Socket s = new Socket(InetAddress.getLoopbackAddress(), toNowhere.port())) {
      s.setSoTimeout((int) WAIT.toMillis());
      int r;
      try {
        r = s.getInputStream().read();
      } catch (SocketException e) {
        r = -1;
      }
      assertThat(r).isEqualTo(-1);
      await().atMost(WAIT).until(() -> toNowhere.stats().targetConnectFailures() == 1);
    }
  }

  @Test
  void halfClose_fromClient_isPassedOn_andTheConnectionEnds() throws IOException {
    try (Socket s = connect()) {
      s.getOutputStream().write(bytes("bye"));
      s.shutdownOutput();
      assertThat(s.getInputStream().readAllBytes()).isEqualTo(bytes("bye"));
    }
    await().atMost(WAIT).until(() -> proxy.stats().open() == 0);
  }

  @Test
  void close_closesEverySocket_andStopsEveryThread() throws IOException {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, bytes("x"))).isEqualTo(bytes("x"));
      assertThat(proxyThreads()).isNotEmpty();
      proxy.close();
      proxy.close(); // idempotent
      int r;
      try {
        r = s.getInputStream().read();
      } catch (SocketException e) {
        r = -1;
      }
      assertThat(r).isEqualTo(-1);
      assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
    }
    // Every proxy a test starts is closed by that test, so no proxy thread may remain.
    await().atMost(WAIT).until(() -> proxyThreads().length == 0);
  }

  @Test
  void options_rejectBadValues_namingThem() {
    assertThatThrownBy(() -> proxy.latency(Direction.UPSTREAM, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("latency");
    assertThatThrownBy(() -> proxy.bandwidth(Direction.UPSTREAM, -5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytesPerSecond")
        .hasMessageContaining("-5");
    assertThatThrownBy(() -> FaultProxy.start("127.0.0.1", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
  }

  private static Thread[] proxyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("quarry-faultproxy-") && t.isAlive())
        .toArray(Thread[]::new);
  }
}
