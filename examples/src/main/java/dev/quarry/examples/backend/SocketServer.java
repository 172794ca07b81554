package dev.quarry.examples.backend;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket.io side (netty-socketio 2.0.13): {@code subscribe}/{@code unsubscribe} with a JSON
 * payload such as {@code {"executionId":"x1"}} join and leave the room {@code execution:x1} and ack
 * {@code {"ok":true,"room":"execution:x1"}}; {@code echo} acks its arguments back. Payloads are
 * converted to maps with the backend's mapper before netty-socketio writes them, so that its own
 * Jackson settings do not matter.
 *
 * <p>Every accepted TCP channel is kept in a channel group, so that {@link #dropAll()} can close
 * the connections without a socket.io DISCONNECT: to the clients it looks like a lost network.
 */
final class SocketServer implements AgentRunner.Sink {
  private static final Logger LOG = LoggerFactory.getLogger(SocketServer.class);

  private final SocketIOServer server;
  private final ChannelGroup channels = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
  private final ObjectMapper mapper;
  private final int port;

  SocketServer(int port, ObjectMapper mapper, Consumer<String> onWatched) {
    this.port = port;
    this.mapper = mapper;
    Configuration config = new Configuration();
    config.setHostname("127.0.0.1");
    config.setPort(port);
    config.setBossThreads(1);
    config.setWorkerThreads(2);
    // Both Engine.IO transports, as a socket.io server offers them by default: the studio connects
    // over WebSocket, and the parity tests also connect over HTTP long-polling.
    config.setTransports(Transport.WEBSOCKET, Transport.POLLING);
    config.setUseLinuxNativeEpoll(false);
    SocketConfig socket = new SocketConfig();
    socket.setReuseAddress(true);
    socket.setTcpNoDelay(true);
    config.setSocketConfig(socket);
    server = new SocketIOServer(config);
    stopDefaultPipelineFactory(server);
    server.setPipelineFactory(
        new SocketIOChannelInitializer() {
          @Override
          protected void initChannel(Channel ch) throws Exception {
            super.initChannel(ch);
            channels.add(ch);
          }
        });
    server.addEventListener(
        "subscribe",
        Map.class,
        (client, payload, ack) -> {
          Optional<String> room = roomOf(payload);
          if (room.isEmpty()) {
            reply(
                ack,
                Map.of(
                    "ok", false, "error", "expected {\"executionId\":...} or {\"projectId\":...}"));
            return;
          }
          client.joinRoom(room.get());
          reply(ack, Map.of("ok", true, "room", room.get()));
          if (payload.get("executionId") instanceof String executionId) {
            onWatched.accept(executionId);
          }
        });
    server.addEventListener(
        "unsubscribe",
        Map.class,
        (client, payload, ack) -> {
          Optional<String> room = roomOf(payload);
          room.ifPresent(client::leaveRoom);
          reply(
              ack,
              room.<Object>map(r -> Map.of("ok", true, "room", r)).orElse(Map.of("ok", false)));
        });
    server.addConnectListener(c -> LOG.debug("connected {}", c.getSessionId()));
    server.addDisconnectListener(c -> LOG.debug("disconnected {}", c.getSessionId()));
    // echo: acks its payload, or without an ack emits it back to the sender as an "echo" event.
    server.addEventListener(
        "echo", Object.class, (client, payload, ack) -> replyOrEmit(client, ack, payload));
    // A second namespace, whose echo says where it answered from (the namespace tests).
    server
        .addNamespace("/ops")
        .addEventListener(
            "echo",
            Object.class,
            (client, payload, ack) ->
                replyOrEmit(client, ack, Map.of("namespace", "/ops", "echo", payload)));
  }

  void start() {
    server.start();
  }

  int port() {
    return port;
  }

  int clientCount() {
    return server.getAllClients().size();
  }

  /** Closes every connection without a socket.io DISCONNECT; returns how many were open. */
  int dropAll() {
    int n = server.getAllClients().size();
    closeChannels();
    return n;
  }

  /**
   * Closes every accepted channel and waits (bounded) for each to close. The group's own futures
   * are not used: they would need netty's global executor, whose thread is not a daemon.
   */
  private void closeChannels() {
    for (Channel ch : List.copyOf(channels)) {
      ch.close().awaitUninterruptibly(5_000);
    }
  }

  @Override
  public void toRoom(String room, String event, Object payload) {
    server.getRoomOperations(room).sendEvent(event, plain(payload));
  }

  @Override
  public void toAll(String event, Object payload) {
    server.getBroadcastOperations().sendEvent(event, plain(payload));
  }

  void stop() {
    closeChannels();
    // SocketIOServer.stop() shuts its two event loop groups down one after the other, each with
    // netty's default 2 s quiet period. Start both without a quiet period first (the groups are
    // private fields; if they cannot be read, stop() alone still works, only slower), so that
    // stop() then only waits for the termination.
    for (String field : new String[] {"bossGroup", "workerGroup"}) {
      try {
        java.lang.reflect.Field f = SocketIOServer.class.getDeclaredField(field);
        f.setAccessible(true);
        if (f.get(server) instanceof io.netty.channel.EventLoopGroup group) {
          // stop() below waits for the termination
          io.netty.util.concurrent.Future<?> unused =
              group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.debug("cannot shut {} down early; stop() will wait the quiet period", field, e);
      }
    }
    server.stop();
  }

  /**
   * The server creates a default channel initializer, with a timer, before ours replaces it; stop
   * that unused one so that netty does not report its timer as leaked when it is collected.
   */
  private static void stopDefaultPipelineFactory(SocketIOServer server) {
    try {
      java.lang.reflect.Field f = SocketIOServer.class.getDeclaredField("pipelineFactory");
      f.setAccessible(true);
      Object unused = f.get(server);
      java.lang.reflect.Field timer =
          SocketIOChannelInitializer.class.getDeclaredField("scheduler");
      timer.setAccessible(true);
      if (unused != null && timer.get(unused) instanceof CancelableScheduler scheduler) {
        scheduler.shutdown();
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("cannot stop the default channel initializer timer", e);
    }
  }

  private Object plain(Object payload) {
    return mapper.convertValue(payload, LinkedHashMap.class);
  }

  private static void replyOrEmit(SocketIOClient client, AckRequest ack, Object value) {
    if (ack.isAckRequested()) {
      ack.sendAckData(value);
    } else {
      client.sendEvent("echo", value);
    }
  }

  private static void reply(AckRequest ack, Object value) {
    if (ack.isAckRequested()) {
      ack.sendAckData(value);
    }
  }

  private static Optional<String> roomOf(Map<?, ?> payload) {
    if (payload.get("executionId") instanceof String id && !id.isBlank()) {
      return Optional.of(AgentRunner.room(id));
    }
    if (payload.get("projectId") instanceof String id && !id.isBlank()) {
      return Optional.of("project:" + id);
    }
    return Optional.empty();
  }
}
