package dev.quarry.core.http;

import java.io.IOException;

/**
 * The exchange failed at the transport level: the connection was refused or reset, a timeout
 * elapsed, the body was cut short. The cause is the {@link IOException} OkHttp reported.
 *
 * <p>Immutable. {@link JsonHttp#isRetryable(Throwable)} considers it transient: retrying may
 * succeed.
 *
 * <pre>{@code
 * http.get("health", Health.class).exceptionally(e -> {
 *   if (e.getCause() instanceof HttpIoException io) log.warn("server unreachable: {}", io.url());
 *   return Health.UNKNOWN;
 * });
 * }</pre>
 */
public final class HttpIoException extends HttpException {
  private static final long serialVersionUID = 1L;

  /**
   * @param method the request method
   * @param url the full request URL
   * @param cause what OkHttp reported
   */
  public HttpIoException(String method, String url, IOException cause) {
    super(method, url, "request failed: " + describe(cause), cause);
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    String name = e.getClass().getSimpleName();
    return message == null || message.isEmpty() ? name : name + ": " + message;
  }
}
