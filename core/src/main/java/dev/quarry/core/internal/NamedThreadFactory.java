package dev.quarry.core.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates daemon threads named {@code quarry-<role>-<n>}, so that every thread Quarry starts can be
 * recognised in a thread dump and none keeps the JVM alive.
 */
public final class NamedThreadFactory implements ThreadFactory {
  private static final AtomicInteger POOL = new AtomicInteger();

  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();

  /**
   * @param role what the threads do, for example {@code "scheduler"}; prefixed with {@code quarry-}
   */
  public NamedThreadFactory(String role) {
    this.prefix = "quarry-" + role + "-" + POOL.incrementAndGet() + "-";
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + count.incrementAndGet());
    t.setDaemon(true);
    return t;
  }
}
