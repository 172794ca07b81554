package dev.quarry.optimistic.internal;

import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QuarryException;
import dev.quarry.core.Scheduler;
import dev.quarry.core.internal.Retryer;
import dev.quarry.core.internal.SerialExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The serial queue on the callback executor where every step of every mutation of one client runs
 * (so that callbacks never run concurrently with each other, as on JavaScript's event loop), with
 * the helpers that bring user code's stages back onto it.
 */
final class MutationLoop implements Executor {
  /** One call into user code that returns a stage. */
  @FunctionalInterface
  interface UserCall<T> {
    CompletionStage<? extends T> call() throws Exception;
  }

  private final SerialExecutor serial;
  private final Scheduler scheduler;

  /**
   * @param callbackExecutor where the steps run, one at a time
   * @param timers the scheduler whose timers this loop's {@link #scheduler()} runs on the loop
   */
  MutationLoop(Executor callbackExecutor, Scheduler timers, ErrorHandler errorHandler) {
    this.serial = new SerialExecutor(callbackExecutor, errorHandler, "mutations");
    this.scheduler = (delay, task) -> timers.schedule(delay, () -> serial.execute(task));
  }

  @Override
  public void execute(Runnable task) {
    serial.execute(task);
  }

  /** A scheduler whose tasks run on the loop. */
  Scheduler scheduler() {
    return scheduler;
  }

  /**
   * Calls user code (a throw becomes a failed future) and returns a future that completes on the
   * loop, so that whatever is chained on it runs there too.
   */
  <T> CompletableFuture<T> callUser(UserCall<T> call) {
    CompletionStage<? extends T> stage;
    try {
      stage = call.call();
      if (stage == null) {
        throw new QuarryException("a mutation callback returned a null stage");
      }
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    return onLoop(stage);
  }

  /** A future that completes like {@code stage}, on the loop. */
  <T> CompletableFuture<T> onLoop(CompletionStage<? extends T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete(
        (value, error) ->
            serial.execute(
                () -> {
                  if (error != null) {
                    out.completeExceptionally(Retryer.unwrap(error));
                  } else {
                    out.complete(value);
                  }
                }));
    return out;
  }
}
