package dev.quarry.spring.boot;

import dev.quarry.Quarry;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationFilters;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts and drains a {@link Quarry} with the application context.
 *
 * <ul>
 *   <li><b>Start</b> (when the context has refreshed, before the web server takes requests):
 *       connects the realtime client (unless {@code quarry.realtime.connect-on-start=false}) and,
 *       with a persistence directory, sends what the outbox kept from the last run ({@code
 *       mutations().resumeOutbox()}, unless {@code quarry.persistence.resume-on-start=false}).
 *       Mutation defaults the application registers while its beans are created are in place by
 *       then.
 *   <li><b>Stop</b> (after the web server stopped taking requests): waits at most {@code
 *       quarry.shutdown.timeout} (default 10 s) for mutations in flight (pending and not paused) to
 *       settle. Paused mutations are not waited for: with persistence their outbox records stay and
 *       are sent by the next run.
 *   <li>Then the context destroys the {@code Quarry} bean: {@link Quarry#close()} closes the outbox
 *       file (its writes are committed), the realtime connection and every thread the facade
 *       started.
 * </ul>
 *
 * <p>Its phase, {@link #PHASE}, is below the web server's, so it starts before and stops after it.
 * Called by Spring's lifecycle processor on the thread that refreshes or closes the context; {@link
 * #stop()} blocks that thread at most for the drain timeout and never throws (a drain that times
 * out is logged at WARN, naming how many mutations were still in flight).
 */
public final class QuarryLifecycle implements SmartLifecycle {
  /** Starts before, and stops after, Spring Boot's web server (phase {@code MAX_VALUE - 2048}). */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private static final Logger LOG = LoggerFactory.getLogger(QuarryLifecycle.class);

  private final Quarry quarry;
  private final boolean connect;
  private final boolean resumeOutbox;
  private final Duration drainTimeout;
  private volatile boolean running;

  /**
   * A lifecycle for {@code quarry}.
   *
   * @param connect whether {@link #start()} connects the realtime client (if there is one)
   * @param resumeOutbox whether {@link #start()} resumes the outbox
   * @param drainTimeout how long {@link #stop()} waits for mutations in flight
   * @throws IllegalArgumentException if {@code drainTimeout} is negative
   */
  public QuarryLifecycle(
      Quarry quarry, boolean connect, boolean resumeOutbox, Duration drainTimeout) {
    this.quarry = Objects.requireNonNull(quarry, "quarry");
    this.connect = connect;
    this.resumeOutbox = resumeOutbox;
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "quarry.shutdown.timeout must not be negative but was " + drainTimeout);
    }
  }

  @Override
  public void start() {
    if (running || quarry.isClosed()) {
      return;
    }
    running = true;
    if (connect && quarry.hasRealtime()) {
      quarry.realtime().connect();
    }
    if (resumeOutbox) {
      quarry
          .mutations()
          .resumeOutbox()
          .whenComplete(
              (ok, e) -> {
                if (e != null) {
                  LOG.warn("resuming the outbox failed", e);
                }
              });
    }
  }

  @Override
  public void stop() {
    if (!running) {
      return;
    }
    running = false;
    if (quarry.isClosed()) {
      return;
    }
    CompletableFuture<Void> drained = new CompletableFuture<>();
    Runnable check =
        () -> {
          if (inFlight() == 0) {
            drained.complete(null);
          }
        };
    try (Registration s = quarry.mutations().subscribe(event -> check.run())) {
      check.run();
      drained.get(drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      LOG.warn(
          "{} mutation(s) still in flight after quarry.shutdown.timeout={}; closing anyway",
          inFlight(),
          drainTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RuntimeException e) {
      LOG.warn("draining Quarry's mutations failed", e);
    }
  }

  /** Mutations pending and not paused: the ones that are making progress now. */
  int inFlight() {
    return (int)
        quarry.mutations().findAll(MutationFilters.all()).stream()
            .filter(m -> m.state().isPending() && !m.state().isPaused())
            .count();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public String toString() {
    return "QuarryLifecycle{running=" + running + ", " + quarry + "}";
  }
}
