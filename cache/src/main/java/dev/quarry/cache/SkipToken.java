package dev.quarry.cache;

import dev.quarry.core.QuarryException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The one {@link QueryFunction#skipToken()}: fails every call, naming the key. */
final class SkipToken implements QueryFunction<Object> {
  static final SkipToken INSTANCE = new SkipToken();

  private SkipToken() {}

  @Override
  public CompletionStage<Object> fetch(QueryContext context) {
    return CompletableFuture.failedFuture(
        new QuarryException(
            "query "
                + context.key()
                + " has skipToken as its function and cannot be fetched: give its options a"
                + " query function first"));
  }

  @Override
  public String toString() {
    return "skipToken";
  }
}
