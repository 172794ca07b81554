package dev.quarry;

import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.SseSource;
import dev.quarry.cache.StreamRefetchMode;
import dev.quarry.cache.StreamSource;
import dev.quarry.cache.StreamedQuery;
import dev.quarry.core.QuarryException;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Streamed queries on the facade, from {@link Quarry#streams()}: a query whose data is the chunks
 * of a stream so far (TanStack's {@code streamedQuery}; see {@link StreamedQuery} for the states),
 * with sources over the facade's HTTP client (server-sent events) and realtime connection (a
 * topic's events).
 *
 * <pre>{@code
 * QueryOptions<List<Token>> draft = quarry.streams().query(QueryKey.of("draft", id),
 *     quarry.streams().sse("executions/" + id + "/draft", Token.class));
 * quarry.observe(draft, r -> r.data().ifPresent(this::render));
 *
 * StreamSource<Token> live = quarry.streams().topic(Topic.of("execution", "executionId", id),
 *     "draft-token", Token.class, "draft-done");
 * }</pre>
 *
 * <p>Immutable and thread-safe; it holds nothing to close (observers and fetches are the cache's).
 */
public final class Streams {
  private final Supplier<RealtimeClient> realtime;

  Streams(Supplier<RealtimeClient> realtime) {
    this.realtime = realtime;
  }

  /**
   * A streamed query of {@code source} whose data is the list of chunks, refetching in reset mode.
   */
  public <C> QueryOptions<List<C>> query(QueryKey key, StreamSource<C> source) {
    return QueryOptions.of(key, StreamedQuery.of(source));
  }

  /** A streamed query of {@code source} with the given refetch mode. */
  public <C> QueryOptions<List<C>> query(
      QueryKey key, StreamSource<C> source, StreamRefetchMode refetchMode) {
    return QueryOptions.of(key, StreamedQuery.builder(source).refetchMode(refetchMode).build());
  }

  /**
   * The server-sent events of {@code path} on the facade's HTTP client (base URL, headers,
   * authorization), each decoded into {@code type}; see {@link SseSource} for resuming and limits.
   */
  public <E> SseSource<E> sse(String path, Class<E> type) {
    return SseSource.of(path, type);
  }

  /**
   * The {@code event}s of {@code topic} (their first argument decoded into {@code type}, routed to
   * the topic as any topic listener is) until an {@code endEvent} arrives: each fetch subscribes to
   * the topic and closes its subscription when the end event arrives or the fetch is cancelled. A
   * {@link TopicEvent.Gap} (events lost while the connection was down) fails the attempt with a
   * {@link QuarryException} naming the topic, so that the query's retry rules fetch again. Events
   * are delivered on the realtime client's callback executor; a subscriber must have requested them
   * (a streamed query always has), or the attempt fails rather than buffer them.
   *
   * @throws IllegalStateException when a fetch opens it, if the facade has no realtime connection
   */
  public <C> StreamSource<C> topic(Topic topic, String event, Class<C> type, String endEvent) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(endEvent, "endEvent");
    return context -> {
      RealtimeClient client = realtime.get();
      var signal = context.signal();
      return subscriber -> {
        TopicStream<C> stream = new TopicStream<>(subscriber, topic);
        subscriber.onSubscribe(stream);
        TopicSubscription sub = client.subscribe(topic);
        stream.subscription = sub;
        signal.onCancel(stream::cancel);
        sub.on(event, type, stream::next);
        sub.on(endEvent, com.fasterxml.jackson.databind.JsonNode.class, x -> stream.end());
        sub.listen(
            e -> {
              if (e instanceof TopicEvent.Gap gap) {
                stream.fail(
                    new QuarryException(
                        "events of topic " + topic + " were lost (" + gap.reason() + ")"));
              }
            });
        if (stream.closed.get()) {
          sub.close();
        }
      };
    };
  }

  /** One fetch's subscription to a topic, as a Flow subscription. */
  private static final class TopicStream<C> implements Flow.Subscription {
    final Flow.Subscriber<? super C> subscriber;
    final Topic topic;
    final AtomicBoolean closed = new AtomicBoolean();
    final AtomicLong demand = new AtomicLong();
    volatile Registration subscription = Registration.closed();

    TopicStream(Flow.Subscriber<? super C> subscriber, Topic topic) {
      this.subscriber = subscriber;
      this.topic = topic;
    }

    void next(C value) {
      if (closed.get()) {
        return;
      }
      if (demand.get() != Long.MAX_VALUE && demand.getAndDecrement() <= 0) {
        fail(
            new QuarryException(
                "the stream of topic " + topic + " got an event its subscriber did not request"));
        return;
      }
      subscriber.onNext(value);
    }

    void end() {
      if (closed.compareAndSet(false, true)) {
        subscription.close();
        subscriber.onComplete();
      }
    }

    void fail(Throwable error) {
      if (closed.compareAndSet(false, true)) {
        subscription.close();
        subscriber.onError(error);
      }
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        fail(new IllegalArgumentException("request(" + n + "): demand must be positive"));
        return;
      }
      demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
    }

    @Override
    public void cancel() {
      if (closed.compareAndSet(false, true)) {
        subscription.close();
      }
    }
  }
}
