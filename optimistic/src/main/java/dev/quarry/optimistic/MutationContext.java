package dev.quarry.optimistic;

import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import java.util.Map;
import java.util.Optional;

/**
 * What a mutation function and {@code onMutate} get besides the variables (TanStack's {@code
 * MutationFunctionContext}).
 *
 * <pre>{@code
 * (episode, ctx) -> ctx.http().post("projects/p1/episodes", episode, Episode.class)
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public interface MutationContext {
  /** The mutation's id in its client: increasing in submission order. */
  long mutationId();

  /** The mutation key, if the mutation has one. */
  Optional<QueryKey> mutationKey();

  /** The mutation's meta map (empty if none was given); unmodifiable. */
  Map<String, Object> meta();

  /**
   * The idempotency key of a persistent mutation: a UUID chosen when it was submitted and kept
   * across restarts. Empty for mutations that are not persistent.
   */
  Optional<String> idempotencyKey();

  /**
   * The client's JSON-over-HTTP client; when the mutation has an {@link #idempotencyKey()}, a view
   * that sends it as an {@code Idempotency-Key} header on every request.
   *
   * @throws IllegalStateException if the client was built without {@code http(...)}
   */
  JsonHttp http();
}
