package dev.quarry.core.http;

import org.jspecify.annotations.Nullable;

/**
 * A 2xx response whose body could not be turned into the requested {@link JsonType}: it was empty,
 * not JSON, larger than the configured limit, or not valid for the target type. The message names
 * the method, URL, status, target type and the {@link Reason}.
 *
 * <p>Immutable. Not retryable: the same request would most likely get the same body.
 *
 * <pre>{@code
 * catch (CompletionException e) {
 *   if (e.getCause() instanceof HttpDecodeException d && d.reason() == Reason.TOO_LARGE) ...
 * }
 * }</pre>
 */
public final class HttpDecodeException extends HttpException {
  private static final long serialVersionUID = 1L;

  /** Why the body could not be decoded. */
  public enum Reason {
    /** The body was empty (for example a 204) but the target type is not {@code Void}. */
    EMPTY_BODY,
    /** The response's content type is not JSON ({@code application/json} or {@code +json}). */
    NOT_JSON,
    /** The body is larger than {@link JsonHttp.Builder#maxResponseBytes(long)}. */
    TOO_LARGE,
    /** The body is not valid JSON, or not valid for the target type. */
    MALFORMED
  }

  private final int status;
  private final String targetType;
  private final Reason reason;

  /**
   * @param method the request method
   * @param url the full request URL
   * @param status the response status
   * @param targetType the name of the type the body was decoded into
   * @param reason why decoding failed
   * @param detail a human-readable detail (the content type, the size, the parser's message)
   * @param cause the parser's exception, if any
   */
  public HttpDecodeException(
      String method,
      String url,
      int status,
      String targetType,
      Reason reason,
      String detail,
      @Nullable Throwable cause) {
    super(
        method,
        url,
        "cannot decode HTTP " + status + " body as " + targetType + ": " + detail,
        cause);
    this.status = status;
    this.targetType = targetType;
    this.reason = reason;
  }

  /** The response status (2xx). */
  public int status() {
    return status;
  }

  /** The name of the type the body was to be decoded into. */
  public String targetType() {
    return targetType;
  }

  /** Why decoding failed. */
  public Reason reason() {
    return reason;
  }
}
