package dev.quarry.examples.spring;

import dev.quarry.Quarry;
import dev.quarry.core.Registration;
import dev.quarry.examples.studio.AgentEvent;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Counts the {@code agent-event}s that arrive over socket.io, in total and per execution, for the
 * executions this BFF watches ({@link #watch}).
 *
 * <p>Thread-safe: events are counted on Quarry's callback thread, read from request threads. At
 * most {@value #MAX_WATCHED} executions are watched at once (the oldest subscription is dropped).
 * Its subscriptions end when the context closes.
 */
@Component
public class AgentEventCounter implements DisposableBean {
  /** The most executions watched at once. */
  public static final int MAX_WATCHED = 100;

  private final Quarry quarry;
  private final AtomicLong total = new AtomicLong();
  private final Map<String, AtomicLong> perExecution = new ConcurrentHashMap<>();
  private final Map<String, TopicSubscription> watched = new ConcurrentHashMap<>();
  private final Registration listener;

  /** Listens to {@code agent-event} on {@code quarry}'s realtime connection. */
  public AgentEventCounter(Quarry quarry) {
    this.quarry = quarry;
    this.listener = quarry.realtime().on("agent-event", AgentEvent.class, this::count);
  }

  private void count(AgentEvent event) {
    total.incrementAndGet();
    AtomicLong n = perExecution.get(event.executionId());
    if (n != null) {
      n.incrementAndGet();
    }
  }

  /** Subscribes to the room of {@code executionId} so that its events reach this BFF. */
  public void watch(String executionId) {
    if (watched.size() >= MAX_WATCHED) {
      String oldest = watched.keySet().iterator().next();
      TopicSubscription dropped = watched.remove(oldest);
      if (dropped != null) {
        dropped.close();
      }
      perExecution.remove(oldest);
    }
    perExecution.putIfAbsent(executionId, new AtomicLong());
    watched.computeIfAbsent(
        executionId, id -> quarry.realtime().subscribe(Topic.of("execution", "executionId", id)));
  }

  /** Every agent event received so far. */
  public long total() {
    return total.get();
  }

  /** The agent events received for {@code executionId}; 0 if it is not watched. */
  public long of(String executionId) {
    AtomicLong n = perExecution.get(executionId);
    return n == null ? 0 : n.get();
  }

  @Override
  public void destroy() {
    listener.close();
    watched.values().forEach(TopicSubscription::close);
  }
}
