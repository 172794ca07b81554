package dev.quarry.cache.internal;

import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A publisher over an iterator, walked on an executor as far as the subscriber's demand goes. One
 * drain runs at a time (a work counter); each subscription makes its own iterator.
 */
public final class IteratorPublisher<C> implements Flow.Publisher<C> {
  private final Callable<Iterator<C>> iterators;
  private final Executor executor;

  public IteratorPublisher(Callable<Iterator<C>> iterators, Executor executor) {
    this.iterators = iterators;
    this.executor = executor;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super C> subscriber) {
    Walk<C> walk = new Walk<>(subscriber, iterators, executor);
    subscriber.onSubscribe(walk);
  }

  private static final class Walk<C> implements Flow.Subscription {
    private final Flow.Subscriber<? super C> subscriber;
    private final Callable<Iterator<C>> iterators;
    private final Executor executor;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger work = new AtomicInteger();
    private volatile boolean cancelled;
    // Touched by the drain only, which runs one at a time.
    private @Nullable Iterator<C> iterator;
    private boolean done;
    private @Nullable Throwable badRequest;

    Walk(Flow.Subscriber<? super C> subscriber, Callable<Iterator<C>> iterators, Executor exec) {
      this.subscriber = subscriber;
      this.iterators = iterators;
      this.executor = exec;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        badRequest = new IllegalArgumentException("request(" + n + "): demand must be positive");
      } else {
        demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      }
      schedule();
    }

    @Override
    public void cancel() {
      cancelled = true;
      schedule();
    }

    private void schedule() {
      if (work.getAndIncrement() == 0) {
        executor.execute(this::drain);
      }
    }

    private void drain() {
      int missed = 1;
      while (true) {
        step();
        missed = work.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    private void step() {
      if (done) {
        return;
      }
      if (cancelled) {
        finish();
        return;
      }
      Throwable bad = badRequest;
      if (bad != null) {
        finish();
        subscriber.onError(bad);
        return;
      }
      try {
        Iterator<C> it = iterator;
        if (it == null) {
          it = Objects.requireNonNull(iterators.call(), "the iterator factory returned null");
          iterator = it;
        }
        while (demand.get() > 0 && !cancelled) {
          if (!it.hasNext()) {
            finish();
            subscriber.onComplete();
            return;
          }
          C next = Objects.requireNonNull(it.next(), "the iterator returned a null element");
          demand.decrementAndGet();
          subscriber.onNext(next);
        }
        if (cancelled) {
          finish();
        }
      } catch (Exception e) {
        finish();
        subscriber.onError(e);
      }
    }

    private void finish() {
      done = true;
      if (iterator instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception ignored) {
          // Closing is best effort; the walk already ended.
        }
      }
    }
  }
}
