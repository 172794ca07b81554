package dev.quarry.optimistic.internal;

import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.optimistic.MutationContext;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a mutation's function and {@code onMutate} get besides the variables; immutable. {@link
 * #http()} reads the client's HTTP client when called, adding the idempotency key of a persistent
 * mutation.
 */
record MutationContexts(
    long mutationId,
    Optional<QueryKey> mutationKey,
    Map<String, Object> meta,
    Optional<String> idempotencyKey,
    @Nullable JsonHttp client,
    String describe)
    implements MutationContext {

  @Override
  public JsonHttp http() {
    JsonHttp h = client;
    if (h == null) {
      throw new IllegalStateException(
          "no JsonHttp: build the MutationClient with http(...) to use ctx.http()");
    }
    return idempotencyKey.isPresent() ? h.withHeader("Idempotency-Key", idempotencyKey.get()) : h;
  }

  @Override
  public String toString() {
    return "MutationContext{" + describe + "}";
  }
}
