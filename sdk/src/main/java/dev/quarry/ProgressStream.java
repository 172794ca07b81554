package dev.quarry;

import dev.quarry.core.Registration;
import dev.quarry.realtime.Topic;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A topic's progress events as a typed stream of {@link Progress}, from {@link
 * Quarry#progress(Topic, String)}. The topic is subscribed from creation until the task finishes
 * (done or failed) or the stream is closed.
 *
 * <pre>{@code
 * try (ProgressStream p = quarry.progress(Topic.of("task", "taskId", id), "task-progress")) {
 *   p.listen(step -> System.out.print("\r" + step.bar(40)));
 *   Progress last = p.finished().get(10, TimeUnit.MINUTES);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Listeners run on the facade's callback executor in arrival order; a late listener
 * reads {@link #latest()} for what it missed. Steps after a finished one are ignored. {@link
 * #close()} unsubscribes and, if the task had not finished, cancels {@link #finished()};
 * idempotent.
 */
public interface ProgressStream extends Registration {
  /** The topic. */
  Topic topic();

  /** The latest step, if one arrived. */
  Optional<Progress> latest();

  /** Completes with the {@link Progress.Done} or {@link Progress.Failed} step. */
  CompletableFuture<Progress> finished();

  /** Listens to the steps. */
  Registration listen(Consumer<? super Progress> listener);

  /** Unsubscribes. Idempotent. */
  @Override
  void close();
}
