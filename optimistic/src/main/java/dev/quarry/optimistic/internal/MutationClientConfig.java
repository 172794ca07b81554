package dev.quarry.optimistic.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.QueryClient;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.optimistic.MutationCacheConfig;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.optimistic.OutboxStore;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * What {@code MutationClient.Builder} collected; a null part is created (and owned) by the client.
 *
 * @param outbox an outbox handed over (not closed by the client)
 * @param outboxFile an outbox file the client opens and closes (only if {@code outbox} is null)
 * @param defaults the client-wide mutation defaults, or null for none
 */
public record MutationClientConfig(
    Clock clock,
    @Nullable Scheduler scheduler,
    @Nullable Executor callbackExecutor,
    ErrorHandler errorHandler,
    @Nullable Connectivity connectivity,
    @Nullable JsonHttp http,
    MutationCacheConfig cacheConfig,
    @Nullable OutboxStore outbox,
    @Nullable Path outboxFile,
    ObjectMapper mapper,
    boolean resumeOnReconnect,
    @Nullable QueryClient queries,
    @Nullable MutationOptions<?, ?, ?> defaults) {}
