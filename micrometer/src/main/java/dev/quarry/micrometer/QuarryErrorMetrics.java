package dev.quarry.micrometer;

import dev.quarry.core.ErrorHandler;
import dev.quarry.realtime.DeliveryOverflowException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ErrorHandler} that counts what reaches Quarry's error boundary, then hands it on: build
 * the facade with it to get {@code quarry.errors} (tag {@code type}: the exception's simple class
 * name, at most 50 distinct values, then {@code other}). Events dropped because listeners fell
 * behind ({@link DeliveryOverflowException#dropped()}) are summed in {@link #droppedEvents()}; the
 * meter {@code quarry.realtime.events.dropped} comes from {@link QuarryMetrics}, which reads the
 * realtime client's own count.
 *
 * <pre>{@code
 * QuarryErrorMetrics errors = new QuarryErrorMetrics(ErrorHandler.logging());
 * Quarry quarry = Quarry.builder().errorHandler(errors)...build();
 * errors.bindTo(registry);
 * }</pre>
 *
 * <p>Counting starts at construction, so errors reported before {@link #bindTo} are included once
 * bound. Thread-safe; {@link #handle} does not block and never throws for counting (the delegate is
 * called through {@link ErrorHandler#safeHandle}). No lifecycle of its own.
 */
public final class QuarryErrorMetrics implements ErrorHandler, MeterBinder {
  private static final int MAX_TYPES = 50;

  private final ErrorHandler delegate;
  private final Tags tags;
  private final Map<String, AtomicLong> errorsByType = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final CopyOnWriteArrayList<MeterRegistry> registries = new CopyOnWriteArrayList<>();

  /** Counts, then calls {@code delegate}. */
  public QuarryErrorMetrics(ErrorHandler delegate) {
    this(delegate, Tags.empty());
  }

  /** Counts with {@code tags} on every meter, then calls {@code delegate}. */
  public QuarryErrorMetrics(ErrorHandler delegate, Iterable<Tag> tags) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
  }

  @Override
  public void handle(String context, Throwable error) {
    String type = error.getClass().getSimpleName();
    if (type.isEmpty()) {
      type = "anonymous";
    }
    AtomicLong counter = errorsByType.get(type);
    if (counter == null) {
      synchronized (errorsByType) {
        if (errorsByType.size() >= MAX_TYPES && !errorsByType.containsKey(type)) {
          type = KeyTags.OTHER;
        }
        counter = errorsByType.computeIfAbsent(type, this::register);
      }
    }
    counter.incrementAndGet();
    if (error instanceof DeliveryOverflowException d) {
      dropped.addAndGet(d.dropped());
    }
    delegate.safeHandle(context, error);
  }

  /** The number of errors counted so far, of every type. */
  public long errors() {
    return errorsByType.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** The number of realtime events dropped so far. */
  public long droppedEvents() {
    return dropped.get();
  }

  private AtomicLong register(String type) {
    AtomicLong counter = new AtomicLong();
    for (MeterRegistry registry : registries) {
      registerErrors(registry, type, counter);
    }
    return counter;
  }

  private void registerErrors(MeterRegistry registry, String type, AtomicLong counter) {
    FunctionCounter.builder("quarry.errors", counter, AtomicLong::doubleValue)
        .description("errors reported to Quarry's error handler")
        .tags(tags.and("type", type))
        .register(registry);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    synchronized (errorsByType) {
      registries.add(registry);
      errorsByType.forEach((type, counter) -> registerErrors(registry, type, counter));
    }
  }

  @Override
  public String toString() {
    return "QuarryErrorMetrics{errors=" + errors() + ", dropped=" + dropped.get() + "}";
  }
}
