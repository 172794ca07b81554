package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.quarry.core.internal.Redaction;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The emits of a {@link RealRealtimeClient}: plain, volatile, with an ack, and through the
 * at-least-once queue when retries are configured. Arguments are written before the client's lock
 * is taken; ack futures ({@link AckFuture}) are completed after it is released, their dependents
 * run on the control lane.
 */
final class Emits {
  private final RealRealtimeClient client;

  Emits(RealRealtimeClient client) {
    this.client = client;
  }

  /** The packet's array: the event name, then the arguments. */
  private ArrayNode data(String event, Object... args) {
    RealRealtimeClient.checkEventName(event);
    ArrayNode data = client.toArgs(args);
    data.insert(0, event);
    return data;
  }

  private Packet packet(ArrayNode data) {
    return new Packet(Packet.Type.EVENT, client.namespace(), -1, data);
  }

  void emit(String event, Object... args) {
    ArrayNode data = data(event, args);
    synchronized (client.lock()) {
      if (client.atLeastOnce.enabled() && !client.isClosedLocked()) {
        client.atLeastOnce.add(event, data, reportingFailure(event));
      } else {
        client.outbound.emit(event, packet(data));
      }
    }
    client.callbacks.flush();
  }

  /** The outcome of an at-least-once plain emit: nobody waits for it, a failure is reported. */
  private Outbound.AckOutcome reportingFailure(String event) {
    return new Outbound.AckOutcome() {
      @Override
      public void acked(ArrayNode args) {}

      @Override
      public void failed(RuntimeException e) {
        client.callbacks.enqueue(
            () -> client.errors.safeHandle("realtime emit of '" + event + "'", e));
      }
    };
  }

  boolean emitVolatile(String event, Object... args) {
    ArrayNode data = data(event, args);
    boolean sent;
    synchronized (client.lock()) {
      sent = client.outbound.emitVolatile(event, packet(data));
    }
    client.callbacks.flush();
    return sent;
  }

  /** With the configured ack timeout; at-least-once when retries are configured. */
  AckFuture<ArrayNode> emitWithAck(String event, Object... args) {
    if (!client.atLeastOnce.enabled()) {
      return emitWithAck(event, client.options.ackTimeout(), args);
    }
    ArrayNode data = data(event, args);
    AckFuture<ArrayNode> future = new AckFuture<>(client.callbacks.controlLane());
    synchronized (client.lock()) {
      requireOpenLocked(event);
      try {
        client.atLeastOnce.add(event, data, client.outbound.completing(future));
      } catch (RuntimeException e) {
        client.callbacks.complete(() -> future.completeExceptionally(e));
      }
    }
    client.callbacks.flush();
    return future;
  }

  AckFuture<ArrayNode> emitWithAck(String event, Duration timeout, Object... args) {
    RealRealtimeClient.checkEventName(event);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("ack timeout must be positive, got " + timeout);
    }
    ArrayNode data = data(event, args);
    AckFuture<ArrayNode> future = new AckFuture<>(client.callbacks.controlLane());
    synchronized (client.lock()) {
      requireOpenLocked(event);
      try {
        client.outbound.sendWithAck(event, data, timeout, client.outbound.completing(future));
      } catch (RuntimeException e) {
        client.callbacks.complete(() -> future.completeExceptionally(e));
      }
    }
    client.callbacks.flush();
    return future;
  }

  /**
   * The after-close contract: an emit after {@code close()} throws rather than failing its future,
   * as every other call that starts new work does.
   */
  private void requireOpenLocked(String event) {
    if (client.isClosedLocked()) {
      throw new IllegalStateException(
          "cannot emit '"
              + event
              + "': realtime client for "
              + Redaction.url(client.options.uri())
              + " is closed");
    }
  }

  /** The ack's first argument (JSON null if none) decoded into {@code type}. */
  <T> CompletableFuture<T> decodeFirst(AckFuture<ArrayNode> ack, JavaType type) {
    return ack.decodedBy(
        arr ->
            client.mapper.convertValue(arr.isEmpty() ? NullNode.getInstance() : arr.get(0), type));
  }
}
