/**
 * JSON over HTTP on OkHttp and Jackson: {@link dev.quarry.core.http.JsonHttp} sends a request,
 * returns a {@link java.util.concurrent.CompletableFuture} of the decoded body and cancels the
 * OkHttp call when the future is cancelled.
 *
 * <p>Failures are typed: a non-2xx status is an {@link dev.quarry.core.http.HttpStatusException}, a
 * failed connection or read an {@link dev.quarry.core.http.HttpIoException}, a body that cannot be
 * decoded into the requested {@link dev.quarry.core.http.JsonType} an {@link
 * dev.quarry.core.http.HttpDecodeException}. {@link
 * dev.quarry.core.http.JsonHttp#isRetryable(Throwable)} is the default answer to "is this worth a
 * retry".
 *
 * <p>Everything here is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.quarry.core.http;

import org.jspecify.annotations.NullMarked;
