package dev.quarry.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/** {@link JsonHttp#isRetryable}: which failures the default retry predicate retries. */
class RetryablePredicateTest {
  private static HttpStatusException status(int code) {
    return new HttpStatusException(
        "GET", "http://127.0.0.1/x", code, Headers.of(), "", Optional.empty());
  }

  @Test
  void transportFailures_5xx_408_and429_areRetryable_throughFutureWrappers() {
    assertThat(JsonHttp.isRetryable(new HttpIoException("GET", "u", new IOException("reset"))))
        .isTrue();
    for (int code : new int[] {500, 502, 503, 504, 408, 429}) {
      assertThat(JsonHttp.isRetryable(status(code))).as("HTTP %d", code).isTrue();
      assertThat(JsonHttp.isRetryable(new CompletionException(status(code))))
          .as("wrapped HTTP %d", code)
          .isTrue();
    }
  }

  @Test
  void otherStatuses_andOtherErrors_areNot() {
    for (int code : new int[] {400, 401, 403, 404, 407, 409, 422}) {
      assertThat(JsonHttp.isRetryable(status(code))).as("HTTP %d", code).isFalse();
    }
    assertThat(JsonHttp.isRetryable(new IllegalStateException("bug"))).isFalse();
  }
}
