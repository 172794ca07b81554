package dev.quarry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.Progress;
import dev.quarry.ProgressStream;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Registration;
import dev.quarry.core.internal.ListenerSet;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** A topic's progress events as {@link Progress} steps; see {@link ProgressStream}. */
public final class RealProgressStream implements ProgressStream {
  private final Topic topic;
  private final String event;
  private final Function<JsonNode, Progress> parser;
  private final ErrorHandler errorHandler;
  private final ListenerSet<Progress> listeners;
  private final CompletableFuture<Progress> finished = new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final TopicSubscription subscription;
  private @Nullable Progress latest;

  /** Subscribes to {@code topic} through {@code realtime} and reads {@code event}s. */
  public RealProgressStream(
      RealtimeMonitor realtime,
      Topic topic,
      String event,
      Function<JsonNode, Progress> parser,
      Executor callbackExecutor,
      ErrorHandler errorHandler) {
    this.topic = topic;
    this.event = event;
    this.parser = parser;
    this.errorHandler = errorHandler;
    this.listeners = new ListenerSet<>(callbackExecutor, errorHandler, "progress of " + topic);
    this.subscription = realtime.subscribe(topic);
    subscription.listen(this::onEvent);
  }

  // Runs on the realtime callback executor, one event at a time.
  private void onEvent(TopicEvent e) {
    if (!(e instanceof TopicEvent.Message m) || !m.event().equals(event) || closed.get()) {
      return;
    }
    Progress step;
    try {
      step = parser.apply(m.payload());
    } catch (RuntimeException ex) {
      errorHandler.safeHandle("progress parser of " + topic.name() + " " + topic.params(), ex);
      return;
    }
    synchronized (this) {
      if (latest != null && latest.isFinished()) {
        return;
      }
      latest = step;
    }
    if (step.isFinished()) {
      // finished() completes only after every listener has seen the last step
      listeners.emit(step, () -> finished.complete(step));
      subscription.close();
    } else {
      listeners.emit(step);
    }
  }

  @Override
  public Topic topic() {
    return topic;
  }

  @Override
  public synchronized Optional<Progress> latest() {
    return Optional.ofNullable(latest);
  }

  @Override
  public CompletableFuture<Progress> finished() {
    return finished;
  }

  @Override
  public Registration listen(Consumer<? super Progress> listener) {
    return listeners.add(listener);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      subscription.close();
      finished.cancel(false);
    }
  }
}
