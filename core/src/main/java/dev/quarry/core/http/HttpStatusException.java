package dev.quarry.core.http;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import okhttp3.Headers;

/**
 * The server answered with a status outside 2xx. Carries the status, the response headers, a
 * bounded excerpt of the body (at most {@link #MAX_EXCERPT_BYTES} bytes, decoded as UTF-8) and the
 * server's {@code Retry-After}, if it sent one.
 *
 * <p>Immutable. {@link JsonHttp#isRetryable(Throwable)} retries 5xx and 429 and never other
 * statuses. As a {@link RetryAfter}, a 429 or 503 asks Quarry's retries to wait at least the
 * server's {@code Retry-After} (up to {@link RetryAfter#MAX_REQUESTED_DELAY}).
 *
 * <pre>{@code
 * http.get("episodes/e1", Episode.class).exceptionally(e -> {
 *   if (e.getCause() instanceof HttpStatusException s && s.status() == 404) return Episode.MISSING;
 *   throw new CompletionException(e.getCause());
 * });
 * }</pre>
 */
public final class HttpStatusException extends HttpException implements RetryAfter {
  private static final long serialVersionUID = 1L;

  /** The most bytes of an error body that are read and kept. */
  public static final int MAX_EXCERPT_BYTES = 2048;

  /** The most characters of the excerpt repeated in the message. */
  private static final int MESSAGE_EXCERPT_CHARS = 200;

  private final int status;
  private final transient Headers headers;
  private final String bodyExcerpt;
  private final transient Optional<Duration> retryAfter;

  /**
   * @param method the request method
   * @param url the full request URL
   * @param status the response status
   * @param headers the response headers
   * @param bodyExcerpt the start of the body, at most {@link #MAX_EXCERPT_BYTES} bytes' worth
   * @param retryAfter how long the server asked to wait, parsed from {@code Retry-After}
   */
  public HttpStatusException(
      String method,
      String url,
      int status,
      Headers headers,
      String bodyExcerpt,
      Optional<Duration> retryAfter) {
    super(method, url, "HTTP " + status + describe(bodyExcerpt), null);
    this.status = status;
    this.headers = Objects.requireNonNull(headers, "headers");
    this.bodyExcerpt = bodyExcerpt;
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
  }

  private static String describe(String excerpt) {
    String line = excerpt.strip().replaceAll("\\s+", " ");
    if (line.isEmpty()) {
      return "";
    }
    return ": "
        + (line.length() > MESSAGE_EXCERPT_CHARS
            ? line.substring(0, MESSAGE_EXCERPT_CHARS) + "..."
            : line);
  }

  /** The response status, for example 404. */
  public int status() {
    return status;
  }

  /** The response headers. */
  public Headers headers() {
    return headers;
  }

  /**
   * The start of the response body, decoded as UTF-8: at most {@link #MAX_EXCERPT_BYTES} bytes,
   * empty if there was no body.
   */
  public String bodyExcerpt() {
    return bodyExcerpt;
  }

  /**
   * How long the server asked the client to wait, from a {@code Retry-After} header in seconds or
   * as an HTTP date (a date in the past gives {@link Duration#ZERO}); empty if there was no such
   * header or it could not be parsed.
   */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  /**
   * {@link #retryAfter()} for a 429 (Too Many Requests) or 503 (Service Unavailable), where RFC
   * 9110 gives {@code Retry-After} that meaning; empty for every other status.
   */
  @Override
  public Optional<Duration> requestedRetryDelay() {
    return status == 429 || status == 503 ? retryAfter : Optional.empty();
  }
}
