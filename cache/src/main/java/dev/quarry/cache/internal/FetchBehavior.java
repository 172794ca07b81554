package dev.quarry.cache.internal;

import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.QueryContext;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * How a query fetches: one call of its function, or the page walk of an infinite query. {@link
 * #begin} is called once per fetch (under no lock); the returned {@link Run} is attempted once per
 * retry, so it can keep progress across retries.
 */
interface FetchBehavior<T> {
  /** Starts a fetch of a query whose data was {@code dataAtStart}. */
  Run<T> begin(Optional<T> dataAtStart, @Nullable FetchDirection direction);

  /** One fetch's attempts. */
  interface Run<T> {
    CompletionStage<T> attempt(Env env) throws Exception;
  }

  /** What an attempt gets from the query. */
  interface Env {
    /** A context for one function call; its signal read is recorded. */
    QueryContext context(Optional<Object> pageParam, @Nullable FetchDirection direction);

    /** Records the stage of the call in progress, cancelled with the fetch. */
    <S> CompletionStage<S> track(CompletionStage<S> stage);

    /** Whether the fetch was cancelled. */
    boolean isCancelled();
  }

  /** An ordinary query: one call of its function per attempt. */
  static <T> FetchBehavior<T> plain(dev.quarry.cache.QueryFunction<T> fn) {
    if (dev.quarry.cache.QueryFunction.isSkipToken(fn)) {
      return new Skip<>(fn);
    }
    return (data, direction) -> env -> env.track(fn.fetch(env.context(Optional.empty(), null)));
  }

  /** The skipToken: every attempt fails, naming the key; the query counts as having no function. */
  record Skip<T>(dev.quarry.cache.QueryFunction<T> token) implements FetchBehavior<T> {
    @Override
    public Run<T> begin(Optional<T> dataAtStart, @Nullable FetchDirection direction) {
      return env -> env.track(token.fetch(env.context(Optional.empty(), null)));
    }
  }
}
