package dev.quarry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.RetryPolicy;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.HttpStatusException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/**
 * Each retry writes one DEBUG line naming what is retried, the attempt, the delay and the cause.
 */
class RetryerLogTest {
  /** Holds timers until the test runs them: virtual time without a clock. */
  private final List<Runnable> timers = new ArrayList<>();

  private final Scheduler scheduler =
      (Duration delay, Runnable task) -> {
        timers.add(task);
        return () -> true;
      };

  private final Retryer.Hooks hooks =
      new Retryer.Hooks() {
        @Override
        public String logger() {
          return "dev.quarry.test.retry";
        }

        @Override
        public String describe() {
          return "fetch of [\"todos\"]";
        }
      };

  @Test
  void eachRetryLogsTheAttemptTheDelayAndTheCause_andNotTheCausesMessage() throws Exception {
    List<Throwable> failures =
        List.of(
            new IOException("connection reset, token=s3cr3t"),
            new HttpStatusException(
                "GET",
                "http://h/api/todos?token=s3cr3t",
                503,
                Headers.of(),
                "{\"secret\":\"s3cr3t\"}",
                Optional.empty()),
            new IOException("last"));
    int[] calls = {0};
    Retryer<String> retryer =
        Retryer.create(
            () -> CompletableFuture.failedFuture(failures.get(calls[0]++)),
            RetryPolicy.times(2),
            scheduler,
            () -> true,
            () -> true,
            hooks);

    String log =
        CapturedLog.during(
            () -> {
              retryer.start();
              timers.remove(0).run();
              timers.remove(0).run();
            });

    assertThat(calls[0]).isEqualTo(3);
    assertThat(retryer.future()).isCompletedExceptionally();
    assertThat(log)
        .contains(
            "DEBUG dev.quarry.test.retry - fetch of [\"todos\"]: attempt 1 failed, retrying in"
                + " 1000 ms: IOException")
        .contains(
            "DEBUG dev.quarry.test.retry - fetch of [\"todos\"]: attempt 2 failed, retrying in"
                + " 2000 ms: HTTP 503")
        .doesNotContain("attempt 3")
        .doesNotContain("s3cr3t");
  }
}
