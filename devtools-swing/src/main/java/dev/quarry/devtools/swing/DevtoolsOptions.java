package dev.quarry.devtools.swing;

import dev.quarry.core.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link QuarryDevtools} re-reads the inspector: changes the inspector reports are coalesced
 * for {@link #coalesce()} and then shown in one refresh; every {@link #refreshInterval()} it also
 * re-reads what only the clock changes (a query turning stale, a gc timer coming due). Both timers
 * go through {@link #scheduler()}: by default one that runs on Swing timers (no thread of its own);
 * a test passes its virtual time.
 *
 * <pre>{@code
 * VirtualTime time = new VirtualTime();
 * QuarryDevtools panel = QuarryDevtools.create(quarry,
 *     DevtoolsOptions.builder().scheduler(time).refreshInterval(Duration.ofSeconds(1)).build());
 * }</pre>
 *
 * <p>Immutable and thread-safe; never null components. {@link Builder#build()} throws {@link
 * IllegalArgumentException} naming an option out of range.
 */
public final class DevtoolsOptions {
  /** Fastest allowed re-read: a few times a second at most. */
  static final Duration MIN_PERIOD = Duration.ofMillis(100);

  private final Optional<Scheduler> scheduler;
  private final Duration coalesce;
  private final Duration refreshInterval;

  private DevtoolsOptions(Builder b) {
    this.scheduler = Optional.ofNullable(b.scheduler);
    this.coalesce = b.coalesce;
    this.refreshInterval = b.refreshInterval;
  }

  /** The defaults: Swing timers, changes coalesced for 250 ms, a re-read every second. */
  public static DevtoolsOptions defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder newBuilder() {
    Builder b = new Builder();
    b.scheduler = scheduler.orElse(null);
    b.coalesce = coalesce;
    b.refreshInterval = refreshInterval;
    return b;
  }

  /** The scheduler of both timers; empty means Swing timers on the event dispatch thread. */
  public Optional<Scheduler> scheduler() {
    return scheduler;
  }

  /** How long reported changes are gathered before one refresh shows them all. */
  public Duration coalesce() {
    return coalesce;
  }

  /** How often the panel re-reads while it is displayable, for changes only the clock makes. */
  public Duration refreshInterval() {
    return refreshInterval;
  }

  @Override
  public String toString() {
    return "DevtoolsOptions{coalesce="
        + coalesce
        + ", refreshInterval="
        + refreshInterval
        + ", scheduler="
        + scheduler.map(Object::toString).orElse("swing timers")
        + "}";
  }

  /** Builds {@link DevtoolsOptions}. Not thread-safe. */
  public static final class Builder {
    private @Nullable Scheduler scheduler;
    private Duration coalesce = Duration.ofMillis(250);
    private Duration refreshInterval = Duration.ofSeconds(1);

    private Builder() {}

    /** Drives both timers (for tests: {@code VirtualTime}); tasks may run on any thread. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** How long changes are gathered before one refresh; at least 100 ms. */
    public Builder coalesce(Duration coalesce) {
      this.coalesce = Objects.requireNonNull(coalesce, "coalesce");
      return this;
    }

    /** How often the panel re-reads for changes only the clock makes; at least 100 ms. */
    public Builder refreshInterval(Duration refreshInterval) {
      this.refreshInterval = Objects.requireNonNull(refreshInterval, "refreshInterval");
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException if {@code coalesce} or {@code refreshInterval} is under 100
     *     ms (the panel re-reads a few times a second at most)
     */
    public DevtoolsOptions build() {
      if (coalesce.compareTo(MIN_PERIOD) < 0) {
        throw new IllegalArgumentException(
            "coalesce must be at least " + MIN_PERIOD.toMillis() + " ms, got " + coalesce);
      }
      if (refreshInterval.compareTo(MIN_PERIOD) < 0) {
        throw new IllegalArgumentException(
            "refreshInterval must be at least "
                + MIN_PERIOD.toMillis()
                + " ms, got "
                + refreshInterval);
      }
      return new DevtoolsOptions(this);
    }
  }
}
