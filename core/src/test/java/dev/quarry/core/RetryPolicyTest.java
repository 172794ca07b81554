package dev.quarry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RuntimeException boom = new IllegalStateException("boom");

  @Test
  void times_retriesWhileFailuresBeforeThisOneAreFewerThanN() {
    RetryPolicy p = RetryPolicy.times(2);
    assertThat(p.shouldRetry(0, boom)).isTrue();
    assertThat(p.shouldRetry(1, boom)).isTrue();
    assertThat(p.shouldRetry(2, boom)).isFalse();
  }

  @Test
  void never_andTimesZero_neverRetry() {
    assertThat(RetryPolicy.never().shouldRetry(0, boom)).isFalse();
    assertThat(RetryPolicy.times(0).isNever()).isTrue();
  }

  @Test
  void forever_alwaysRetries() {
    assertThat(RetryPolicy.forever().shouldRetry(1_000_000, boom)).isTrue();
  }

  @Test
  void predicate_receivesTheCountAndError() {
    RetryPolicy p = RetryPolicy.when((n, e) -> n < 5 && e instanceof IllegalStateException);
    assertThat(p.shouldRetry(4, boom)).isTrue();
    assertThat(p.shouldRetry(5, boom)).isFalse();
    assertThat(p.shouldRetry(0, new IllegalArgumentException())).isFalse();
  }

  @Test
  void defaultDelay_isTheQueryRetryBackoff() {
    RetryPolicy p = RetryPolicy.times(3);
    assertThat(p.delay(0, boom)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.delay(1, boom)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.delay(9, boom)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void customDelays_replaceTheBackoff_andNegativeBecomesZero() {
    assertThat(RetryPolicy.times(1).withDelay(Duration.ofMillis(10)).delay(7, boom))
        .isEqualTo(Duration.ofMillis(10));
    assertThat(RetryPolicy.times(1).withDelay((n, e) -> Duration.ofMillis(n * 100L)).delay(3, boom))
        .isEqualTo(Duration.ofMillis(300));
    assertThat(RetryPolicy.times(1).withDelay((n, e) -> Duration.ofMillis(-5)).delay(0, boom))
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void negativeRetries_areRefusedNamingTheValue() {
    assertThatThrownBy(() -> RetryPolicy.times(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
