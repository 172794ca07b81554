package dev.quarry.spring.boot;

import dev.quarry.Inspector;
import dev.quarry.Quarry;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationInfo;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of a {@link Quarry} (contributor {@code quarry} under {@code /actuator/health}).
 *
 * <table>
 *   <caption>Status</caption>
 *   <tr><th>status</th><th>when</th></tr>
 *   <tr><td>DOWN</td><td>the outbox has set-aside records (writes that could not be restored and
 *       will not be sent without an operator), or the realtime client gave up: the server refused
 *       the connection, disconnected the client or the reconnect attempts ran out (it will not
 *       reconnect on its own)</td></tr>
 *   <tr><td>OUT_OF_SERVICE</td><td>the {@code Quarry} is closed (the application is stopping)</td></tr>
 *   <tr><td>UNKNOWN</td><td>the realtime client is connecting or reconnecting, or was never asked
 *       to connect: transient, no action needed; details say which</td></tr>
 *   <tr><td>UP</td><td>otherwise: connected (or no realtime connection), nothing set aside; paused
 *       mutations and pending outbox records are details, not failures (they are sent when the
 *       server can be reached)</td></tr>
 * </table>
 *
 * <p>Details: {@code realtime} (state; the redacted endpoint; topics; the last reconnect and
 * whether it was recovered; the reason it gave up), {@code mutations} (pending, paused), {@code
 * outbox} (pending, setAside) and {@code queries}. No secrets: no auth, headers, variables or data.
 *
 * <p>Thread-safe; {@link #health()} reads the facade without blocking it. Listens to connection
 * events from construction until {@link #close()} (idempotent; the bean's destroy method), on the
 * facade's callback executor.
 */
public final class QuarryHealthIndicator implements HealthIndicator, AutoCloseable {
  private final Quarry quarry;
  private final AtomicReference<ConnectionEvent.@Nullable Disconnected> gaveUp =
      new AtomicReference<>();
  private final Registration events;

  /** Reports on {@code quarry}. */
  public QuarryHealthIndicator(Quarry quarry) {
    this.quarry = Objects.requireNonNull(quarry, "quarry");
    this.events =
        quarry.hasRealtime()
            ? quarry
                .realtime()
                .onConnectionEvent(
                    e -> {
                      if (e instanceof ConnectionEvent.Disconnected d) {
                        gaveUp.set(d);
                      } else {
                        gaveUp.set(null);
                      }
                    })
            : Registration.closed();
  }

  @Override
  public Health health() {
    if (quarry.isClosed()) {
      return Health.outOfService().withDetail("closed", true).build();
    }
    Inspector.Snapshot snapshot = quarry.inspector().snapshot();
    int setAside = quarry.mutations().setAsideRecords().size();
    int outboxPending = quarry.mutations().outboxRecords().size();
    List<MutationInfo> mutations = quarry.mutations().findAll(MutationFilters.all());
    long pending = mutations.stream().filter(m -> m.state().isPending()).count();
    long paused =
        mutations.stream().filter(m -> m.state().isPending() && m.state().isPaused()).count();

    Status status = Status.UP;
    Health.Builder health = Health.unknown();
    if (snapshot.realtime().isPresent()) {
      Inspector.RealtimeRow r = snapshot.realtime().get();
      Map<String, Object> rt = new LinkedHashMap<>();
      rt.put("state", r.state().name());
      r.endpoint().ifPresent(u -> rt.put("endpoint", u.toString()));
      rt.put("topics", r.topics().size());
      r.lastRecovery()
          .ifPresent(
              rec ->
                  rt.put(
                      "lastReconnect",
                      Map.of("at", rec.at().toString(), "recovered", rec.recovered())));
      ConnectionEvent.Disconnected d = gaveUp.get();
      if (r.state() == ConnectionState.DISCONNECTED && d != null) {
        rt.put("gaveUp", d.reason());
        status = Status.DOWN;
      } else if (r.state() != ConnectionState.CONNECTED) {
        status = Status.UNKNOWN;
      }
      health.withDetail("realtime", rt);
    }
    Map<String, Object> outbox = new LinkedHashMap<>();
    outbox.put("pending", outboxPending);
    outbox.put("setAside", setAside);
    health.withDetail("outbox", outbox);
    health.withDetail("mutations", Map.of("pending", pending, "paused", paused));
    health.withDetail("queries", snapshot.queries().size());
    if (setAside > 0) {
      status = Status.DOWN;
    }
    return health.status(status).build();
  }

  /** Stops listening to connection events. Idempotent. */
  @Override
  public void close() {
    events.close();
  }

  @Override
  public String toString() {
    return "QuarryHealthIndicator{" + quarry + "}";
  }
}
