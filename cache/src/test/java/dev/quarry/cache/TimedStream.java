package dev.quarry.cache;

import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.function.IntFunction;

/**
 * A stream source on virtual time, like TanStack's test generator: attempt {@code n} (0-based)
 * plays {@code scripts.apply(n)}, one chunk every 50 ms, and ends right after its last chunk (or
 * fails there). Records every open and every cancelled subscription.
 */
final class TimedStream implements StreamSource<Integer> {
  static final Duration EVERY = Duration.ofMillis(50);

  /** What one attempt plays: these chunks, then the end or {@code failure}. */
  record Script(List<Integer> chunks, RuntimeException failure) {
    static Script of(Integer... chunks) {
      return new Script(List.of(chunks), null);
    }

    static Script failingAfter(RuntimeException failure, Integer... chunks) {
      return new Script(List.of(chunks), failure);
    }
  }

  private final VirtualTime time;
  private final IntFunction<Script> scripts;
  private final boolean readsSignal;
  final List<Play> plays = new CopyOnWriteArrayList<>();

  TimedStream(VirtualTime time, boolean readsSignal, IntFunction<Script> scripts) {
    this.time = time;
    this.readsSignal = readsSignal;
    this.scripts = scripts;
  }

  static TimedStream counting(VirtualTime time, int count) {
    return new TimedStream(
        time,
        true,
        n -> new Script(java.util.stream.IntStream.range(0, count).boxed().toList(), null));
  }

  int opens() {
    return plays.size();
  }

  Play last() {
    return plays.get(plays.size() - 1);
  }

  @Override
  public Flow.Publisher<Integer> open(QueryContext context) {
    if (readsSignal) {
      context.signal();
    }
    Play play = new Play(scripts.apply(plays.size()));
    plays.add(play);
    return subscriber -> {
      play.subscriber = subscriber;
      subscriber.onSubscribe(play);
      play.next();
    };
  }

  /** One attempt's subscription. */
  final class Play implements Flow.Subscription {
    final Script script;
    volatile boolean cancelled;
    volatile boolean ended;
    int index;
    Flow.Subscriber<? super Integer> subscriber;

    Play(Script script) {
      this.script = script;
    }

    void next() {
      time.schedule(
          EVERY,
          () -> {
            if (cancelled) {
              return;
            }
            if (index < script.chunks().size()) {
              subscriber.onNext(script.chunks().get(index++));
            }
            if (index < script.chunks().size()) {
              next();
            } else {
              ended = true;
              if (script.failure() != null) {
                subscriber.onError(script.failure());
              } else {
                subscriber.onComplete();
              }
            }
          });
    }

    @Override
    public void request(long n) {}

    @Override
    public void cancel() {
      cancelled = true;
    }
  }
}
