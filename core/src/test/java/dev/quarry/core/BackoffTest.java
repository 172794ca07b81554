package dev.quarry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BackoffTest {
  private final SplittableRandom random = new SplittableRandom(0);

  @Test
  void queryRetry_isTanStacksDoublingCappedAt30Seconds() {
    Backoff b = Backoff.queryRetry();
    assertThat(IntStream.range(0, 7).mapToObj(n -> b.delay(n, random).toMillis()))
        .containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L);
  }

  @Test
  void fullJitter_staysBetweenInitialAndTheCappedDelay() {
    Backoff b = Backoff.reconnect();
    for (int attempt = 0; attempt < 20; attempt++) {
      for (int i = 0; i < 100; i++) {
        Duration d = b.delay(attempt, random);
        assertThat(d).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void fullJitter_spreadsDelays() {
    Backoff b = Backoff.reconnect();
    long distinct = IntStream.range(0, 50).mapToObj(i -> b.delay(5, random)).distinct().count();
    assertThat(distinct).isGreaterThan(40);
  }

  @Test
  void proportionalJitter_staysWithinTheFactor_clampedToInitialAndMax() {
    Backoff b =
        Backoff.builder()
            .initial(Duration.ofMillis(100))
            .max(Duration.ofMillis(1000))
            .jitter(Backoff.Jitter.PROPORTIONAL)
            .jitterFactor(0.5)
            .build();
    for (int i = 0; i < 200; i++) {
      assertThat(b.delay(0, random)).isBetween(Duration.ofMillis(100), Duration.ofMillis(150));
      assertThat(b.delay(10, random)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
    }
  }

  @ParameterizedTest
  @EnumSource(Backoff.Jitter.class)
  void everyJitterKind_tenThousandSeededDraws_allWithinInitialAndMax(Backoff.Jitter jitter) {
    Backoff b =
        Backoff.builder()
            .initial(Duration.ofMillis(100))
            .multiplier(1.5)
            .max(Duration.ofMillis(700))
            .jitter(jitter)
            .jitterFactor(0.5)
            .build();
    SplittableRandom seeded = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      int attempt = i % 12;
      assertThat(b.delay(attempt, seeded))
          .as("%s jitter, draw %d, attempt %d", jitter, i, attempt)
          .isBetween(b.initial(), b.max());
    }
  }

  @Test
  void sameSeed_givesSameDelays() {
    Backoff b = Backoff.reconnect();
    SplittableRandom r1 = new SplittableRandom(42);
    SplittableRandom r2 = new SplittableRandom(42);
    for (int i = 0; i < 10; i++) {
      assertThat(b.delay(i, r1)).isEqualTo(b.delay(i, r2));
    }
  }

  @Test
  void hugeAttempt_doesNotOverflow() {
    assertThat(Backoff.queryRetry().delay(10_000, random)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void badValues_failAtBuild_namingTheOptionAndValue() {
    assertThatThrownBy(() -> Backoff.builder().multiplier(0.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiplier")
        .hasMessageContaining("0.5");
    assertThatThrownBy(() -> Backoff.builder().initial(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("initial");
    assertThatThrownBy(
            () ->
                Backoff.builder()
                    .initial(Duration.ofSeconds(10))
                    .max(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("max");
    assertThatThrownBy(() -> Backoff.builder().jitterFactor(2).build())
        .hasMessageContaining("jitterFactor");
    assertThatThrownBy(() -> Backoff.queryRetry().delay(-1, random))
        .hasMessageContaining("attempt");
  }

  @Test
  void newBuilder_derivesAVariant() {
    Backoff b = Backoff.queryRetry().newBuilder().max(Duration.ofSeconds(4)).build();
    assertThat(b.delay(5, random)).isEqualTo(Duration.ofSeconds(4));
    assertThat(b.initial()).isEqualTo(Duration.ofSeconds(1));
    assertThat(Backoff.queryRetry().newBuilder().build()).isEqualTo(Backoff.queryRetry());
  }
}
