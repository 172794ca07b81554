package dev.quarry.optimistic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import java.nio.file.Path;

/** The application set-up shared by the test JVM and the child JVM that is killed. */
final class OutboxFixtures {
  static final QueryKey CREATE_EPISODE = QueryKey.of("episodes", "create");

  /** The variables of the create-episode mutation. */
  record NewEpisode(String title, int number) {}

  private OutboxFixtures() {}

  /** The defaults an application registers at start-up so that recorded mutations can be sent. */
  static MutationOptions<NewEpisode, JsonNode, Void> createEpisodeDefaults() {
    return MutationOptions.<NewEpisode, JsonNode, Void>builder()
        .mutationFn((ep, ctx) -> ctx.http().post("episodes", ep, JsonNode.class))
        .variablesType(NewEpisode.class)
        .persistent(true)
        .build();
  }

  /** Options a call site uses: only the key, the rest comes from the defaults. */
  static MutationOptions<NewEpisode, JsonNode, Void> createEpisode() {
    return MutationOptions.<NewEpisode, JsonNode, Void>builder()
        .mutationKey(CREATE_EPISODE)
        .build();
  }

  static MutationClient client(
      Path outbox, JsonHttp http, Connectivity connectivity, ErrorHandler errorHandler) {
    MutationClient client =
        MutationClient.builder()
            .outbox(outbox)
            .http(http)
            .connectivity(connectivity)
            .errorHandler(errorHandler)
            .build();
    client.setMutationDefaults(CREATE_EPISODE, createEpisodeDefaults());
    return client;
  }
}
