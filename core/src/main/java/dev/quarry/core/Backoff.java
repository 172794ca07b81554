package dev.quarry.core;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long to wait before attempt {@code n} of something that failed: query and mutation retries,
 * realtime reconnects. An immutable value; thread-safe.
 *
 * <p>The delay before retry number {@code attempt} (0 for the first retry) is {@code min(initial *
 * multiplier^attempt, max)}, then jittered:
 *
 * <ul>
 *   <li>{@link Jitter#NONE}: exactly that;
 *   <li>{@link Jitter#PROPORTIONAL}: uniformly within {@code ±jitterFactor} of it;
 *   <li>{@link Jitter#FULL}: uniformly between {@code initial} and it, which spreads the reconnects
 *       of many clients after a server restart.
 * </ul>
 *
 * <p>Whatever the jitter, every delay is clamped to {@code [initial, max]}: a proportional spread
 * below {@code initial} (or above {@code max}) is cut at that bound, so no retry comes sooner than
 * {@code initial} nor later than {@code max}.
 *
 * <p>The random source is a parameter so that tests are deterministic ({@code new
 * SplittableRandom(0)}).
 *
 * <pre>{@code
 * Backoff b = Backoff.builder().initial(Duration.ofMillis(500)).max(Duration.ofSeconds(10))
 *     .jitter(Backoff.Jitter.FULL).build();
 * Duration wait = b.delay(attempt, random);
 * }</pre>
 */
public final class Backoff {
  /** How a computed delay is randomised. */
  public enum Jitter {
    /** No randomness. */
    NONE,
    /** Uniform within {@code ±jitterFactor} of the computed delay. */
    PROPORTIONAL,
    /** Uniform between the initial delay and the computed delay. */
    FULL
  }

  private static final Backoff QUERY_RETRY =
      builder()
          .initial(Duration.ofSeconds(1))
          .multiplier(2)
          .max(Duration.ofSeconds(30))
          .jitter(Jitter.NONE)
          .build();

  private static final Backoff RECONNECT =
      builder()
          .initial(Duration.ofSeconds(1))
          .multiplier(2)
          .max(Duration.ofSeconds(5))
          .jitter(Jitter.FULL)
          .build();

  private final Duration initial;
  private final double multiplier;
  private final Duration max;
  private final Jitter jitter;
  private final double jitterFactor;

  private Backoff(Builder b) {
    this.initial = b.initial;
    this.multiplier = b.multiplier;
    this.max = b.max;
    this.jitter = b.jitter;
    this.jitterFactor = b.jitterFactor;
  }

  /**
   * TanStack Query's retry delay: {@code min(1000 * 2^attempt, 30000)} ms, no jitter (1 s, 2 s, 4
   * s, ..., 30 s).
   */
  public static Backoff queryRetry() {
    return QUERY_RETRY;
  }

  /** Reconnect backoff: 1 s doubling to at most 5 s, with full jitter (as socket.io clients). */
  public static Backoff reconnect() {
    return RECONNECT;
  }

  /** A constant delay. */
  public static Backoff fixed(Duration delay) {
    return builder().initial(delay).multiplier(1).max(delay).jitter(Jitter.NONE).build();
  }

  /** A builder starting from 1 s, multiplier 2, max 30 s, no jitter, jitter factor 0.5. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this backoff's values. */
  public Builder newBuilder() {
    Builder b = new Builder();
    b.initial = initial;
    b.multiplier = multiplier;
    b.max = max;
    b.jitter = jitter;
    b.jitterFactor = jitterFactor;
    return b;
  }

  /**
   * The delay before retry number {@code attempt}.
   *
   * @param attempt 0 for the first retry (the number of failures before the last one)
   * @param random the random source for jitter; unused with {@link Jitter#NONE}
   * @throws IllegalArgumentException if {@code attempt} is negative
   */
  public Duration delay(int attempt, RandomGenerator random) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be >= 0 but was " + attempt);
    }
    double maxNanos = max.toNanos();
    double minNanos = initial.toNanos();
    double base = Math.min(initial.toNanos() * Math.pow(multiplier, attempt), maxNanos);
    double d =
        switch (jitter) {
          case NONE -> base;
          case PROPORTIONAL -> {
            double spread = base * jitterFactor;
            yield base - spread + random.nextDouble() * 2 * spread;
          }
          case FULL -> {
            double floor = Math.min(minNanos, base);
            yield floor + random.nextDouble() * (base - floor);
          }
        };
    // Clamped for every jitter kind, so that the documented bounds hold whatever the spread.
    // The second clamp is exact where a double cannot hold the bounds' nanoseconds.
    long nanos = Math.round(Math.min(maxNanos, Math.max(minNanos, d)));
    return Duration.ofNanos(Math.max(initial.toNanos(), Math.min(max.toNanos(), nanos)));
  }

  /** The delay before the first retry, before jitter; also the smallest delay, jitter included. */
  public Duration initial() {
    return initial;
  }

  /** The factor each further attempt multiplies the delay by. */
  public double multiplier() {
    return multiplier;
  }

  /** The largest delay, jitter included. */
  public Duration max() {
    return max;
  }

  /** How delays are randomised. */
  public Jitter jitter() {
    return jitter;
  }

  /** The relative spread of {@link Jitter#PROPORTIONAL} jitter, in {@code [0, 1]}. */
  public double jitterFactor() {
    return jitterFactor;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Backoff b
        && initial.equals(b.initial)
        && multiplier == b.multiplier
        && max.equals(b.max)
        && jitter == b.jitter
        && jitterFactor == b.jitterFactor;
  }

  @Override
  public int hashCode() {
    return Objects.hash(initial, multiplier, max, jitter, jitterFactor);
  }

  @Override
  public String toString() {
    return "Backoff{initial="
        + initial
        + ", multiplier="
        + multiplier
        + ", max="
        + max
        + ", jitter="
        + jitter
        + (jitter == Jitter.PROPORTIONAL ? ", jitterFactor=" + jitterFactor : "")
        + "}";
  }

  /** Builds a {@link Backoff}; values are checked by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private Duration initial = Duration.ofSeconds(1);
    private double multiplier = 2;
    private Duration max = Duration.ofSeconds(30);
    private Jitter jitter = Jitter.NONE;
    private double jitterFactor = 0.5;

    private Builder() {}

    /** The delay before the first retry; zero or positive. */
    public Builder initial(Duration initial) {
      this.initial = Objects.requireNonNull(initial, "initial");
      return this;
    }

    /** The growth factor per attempt; at least 1. */
    public Builder multiplier(double multiplier) {
      this.multiplier = multiplier;
      return this;
    }

    /** The cap on the delay; at least {@code initial}. */
    public Builder max(Duration max) {
      this.max = Objects.requireNonNull(max, "max");
      return this;
    }

    /** How delays are randomised. */
    public Builder jitter(Jitter jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /** The relative spread of proportional jitter, in {@code [0, 1]}. */
    public Builder jitterFactor(double jitterFactor) {
      this.jitterFactor = jitterFactor;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the option and value that is out of range
     */
    public Backoff build() {
      if (initial.isNegative()) {
        throw new IllegalArgumentException("initial must not be negative but was " + initial);
      }
      if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier must be >= 1 but was " + multiplier);
      }
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "max must be >= initial (" + initial + ") but was " + max);
      }
      if (!(jitterFactor >= 0 && jitterFactor <= 1)) {
        throw new IllegalArgumentException(
            "jitterFactor must be in [0, 1] but was " + jitterFactor);
      }
      return new Backoff(this);
    }
  }
}
