package dev.quarry.core.http;

import dev.quarry.core.QuarryException;
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
   * @param url the full request URL
   * @param detail what went wrong; the message is {@code "<method> <url>: <detail>"}
   * @param cause the underlying exception, if any
   */
  protected HttpException(String method, String url, String detail, @Nullable Throwable cause) {
    super(method + " " + url + ": " + detail, cause);
    this.method = method;
    this.url = url;
  }

  /** The request method, for example {@code GET}. */
  public String method() {
    return method;
  }

  /** The full request URL. */
  public String url() {
    return url;
  }
}
