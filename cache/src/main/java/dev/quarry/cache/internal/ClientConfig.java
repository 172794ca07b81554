package dev.quarry.cache.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.QueryCacheCallbacks;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.JsonHttp;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * What {@code QueryClient.Builder} collected; {@code null} means "the client creates its own".
 *
 * @param http the HTTP client handed to query functions, if any
 * @param maximumSize the size bound, negative for none
 * @param cacheCallbacks the fetch outcome callbacks, if any
 */
public record ClientConfig(
    @Nullable Clock clock,
    @Nullable Scheduler scheduler,
    @Nullable Executor callbackExecutor,
    ErrorHandler errorHandler,
    @Nullable Connectivity connectivity,
    @Nullable JsonHttp http,
    QueryDefaults defaults,
    long maximumSize,
    @Nullable ObjectMapper objectMapper,
    @Nullable QueryCacheCallbacks cacheCallbacks) {}
