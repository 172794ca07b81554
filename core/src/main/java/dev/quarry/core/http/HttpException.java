package dev.quarry.core.http;

import dev.quarry.core.QuarryException;
import dev.quarry.core.internal.Redaction;
import org.jspecify.annotations.Nullable;

/**
 * A failed HTTP exchange: the parent of {@link HttpStatusException}, {@link HttpIoException} and
 * {@link HttpDecodeException}, carrying the request's method and URL. Messages start with both.
 *
 * <p>Immutable. Futures returned by {@link JsonHttp} complete exceptionally with one of the three
 * subclasses (or with a {@link java.util.concurrent.CancellationException} when cancelled); when
 * read through {@code join()} or {@code get()} it arrives wrapped in a {@link
 * java.util.concurrent.CompletionException} or {@link java.util.concurrent.ExecutionException}.
 */
public abstract class HttpException extends QuarryException {
  private static final long serialVersionUID = 1L;

  private final String method;
  private final String url;

  /**
   * @param method the request method, for example {@code GET}
   * @param url the full request URL; kept and shown {@linkplain #url() redacted}
   * @param detail what went wrong; the message is {@code "<method> <url>: <detail>"}
   * @param cause the underlying exception, if any
   */
  protected HttpException(String method, String url, String detail, @Nullable Throwable cause) {
    super(method + " " + Redaction.url(url) + ": " + detail, cause);
    this.method = method;
    this.url = Redaction.url(url);
  }

  /** The request method, for example {@code GET}. */
  public String method() {
    return method;
  }

  /**
   * The request URL with its secrets redacted: user info and the values of query parameters whose
   * names look like secrets ({@code access_token}, {@code apikey}, {@code sig}, ...) read {@code
   * REDACTED}, so the URL can be logged.
   */
  public String url() {
    return url;
  }
}
