package dev.quarry.realtime.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The future of an {@code emitWithAck}: completed by the thread that decoded the ack (or saw it
 * fail), after that thread has released the client's lock, so a thread waiting in {@code get} or
 * {@code join} wakes after one hop, as with a hand-written client. User code never runs on that
 * thread: every function chained onto this future, with the non-async methods too, runs on the
 * client's control lane ({@link #defaultExecutor()}), in order with connection events and other ack
 * outcomes, as it did when the lane completed the future. The futures it returns are plain {@link
 * CompletableFuture}s completed on the lane.
 *
 * <p>Thread-safe, as {@link CompletableFuture}.
 */
final class AckFuture<T> extends CompletableFuture<T> {
  private final Executor lane;

  AckFuture(Executor lane) {
    this.lane = lane;
  }

  /**
   * A future of {@code decode} applied to this one's value, computed by the thread that completes
   * this one (the decoding of the ack's payload is the client's own work, not user code), and with
   * the same guarantees as this one; it fails as {@code thenApply}'s would.
   */
  <U> AckFuture<U> decodedBy(Function<? super T, ? extends U> decode) {
    AckFuture<U> out = new AckFuture<>(lane);
    super.whenComplete(
        (value, failure) -> {
          if (failure != null) {
            out.completeExceptionally(
                failure instanceof CompletionException
                    ? failure
                    : new CompletionException(failure));
            return;
          }
          U decoded;
          try {
            decoded = decode.apply(value);
          } catch (RuntimeException | Error e) {
            out.completeExceptionally(new CompletionException(e));
            return;
          }
          out.complete(decoded);
        });
    return out;
  }

  @Override
  public Executor defaultExecutor() {
    return lane;
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  @Override
  public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
    return thenApplyAsync(fn, lane);
  }

  @Override
  public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
    return thenAcceptAsync(action, lane);
  }

  @Override
  public CompletableFuture<Void> thenRun(Runnable action) {
    return thenRunAsync(action, lane);
  }

  @Override
  public <U, V> CompletableFuture<V> thenCombine(
      CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
    return thenCombineAsync(other, fn, lane);
  }

  @Override
  public <U> CompletableFuture<Void> thenAcceptBoth(
      CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
    return thenAcceptBothAsync(other, action, lane);
  }

  @Override
  public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
    return runAfterBothAsync(other, action, lane);
  }

  @Override
  public <U> CompletableFuture<U> applyToEither(
      CompletionStage<? extends T> other, Function<? super T, U> fn) {
    return applyToEitherAsync(other, fn, lane);
  }

  @Override
  public CompletableFuture<Void> acceptEither(
      CompletionStage<? extends T> other, Consumer<? super T> action) {
    return acceptEitherAsync(other, action, lane);
  }

  @Override
  public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
    return runAfterEitherAsync(other, action, lane);
  }

  @Override
  public <U> CompletableFuture<U> thenCompose(
      Function<? super T, ? extends CompletionStage<U>> fn) {
    return thenComposeAsync(fn, lane);
  }

  @Override
  public <U> CompletableFuture<U> handle(
      BiFunction<? super T, @Nullable Throwable, ? extends U> fn) {
    return handleAsync(fn, lane);
  }

  @Override
  public CompletableFuture<T> whenComplete(
      BiConsumer<? super T, ? super @Nullable Throwable> action) {
    return whenCompleteAsync(action, lane);
  }

  @Override
  public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
    return exceptionallyAsync(fn, lane);
  }

  @Override
  public CompletableFuture<T> exceptionallyCompose(
      Function<Throwable, ? extends CompletionStage<T>> fn) {
    return exceptionallyComposeAsync(fn, lane);
  }
}
