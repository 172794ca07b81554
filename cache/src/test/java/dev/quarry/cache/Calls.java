package dev.quarry.cache;

import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A query function whose calls the test completes by hand: each call records the virtual time and
 * returns a new pending future, unless an automatic answer is set.
 */
final class Calls<T> implements QueryFunction<T> {
  final List<CompletableFuture<T>> futures = new CopyOnWriteArrayList<>();
  final List<Duration> at = new CopyOnWriteArrayList<>();
  final List<QueryContext> contexts = new CopyOnWriteArrayList<>();
  private final VirtualTime time;
  private volatile java.util.function.IntFunction<CompletionStage<T>> auto;

  Calls(VirtualTime time) {
    this.time = time;
  }

  /** Every call answers at once with {@code answer.apply(callIndex)}. */
  Calls<T> answering(java.util.function.IntFunction<CompletionStage<T>> answer) {
    this.auto = answer;
    return this;
  }

  @Override
  public CompletionStage<T> fetch(QueryContext context) {
    at.add(time.elapsed());
    contexts.add(context);
    var a = auto;
    if (a != null) {
      int index = futures.size();
      CompletableFuture<T> f = a.apply(index).toCompletableFuture();
      futures.add(f);
      return f;
    }
    CompletableFuture<T> f = new CompletableFuture<>();
    futures.add(f);
    return f;
  }

  int count() {
    return futures.size();
  }

  CompletableFuture<T> last() {
    return futures.get(futures.size() - 1);
  }

  static <T> CompletionStage<T> ok(T value) {
    return CompletableFuture.completedFuture(value);
  }

  static <T> QueryFunction<T> failingFn() {
    return ctx -> failing("failing");
  }

  static <T> CompletionStage<T> failing(String message) {
    return CompletableFuture.failedFuture(new IllegalStateException(message));
  }
}
