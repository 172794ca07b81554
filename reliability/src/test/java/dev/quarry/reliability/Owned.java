package dev.quarry.reliability;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a test started (servers, proxies, clients), closed last first by {@link #close()}: every
 * resource is closed even when one fails, and the first failure is thrown with the others
 * suppressed.
 */
final class Owned implements AutoCloseable {
  private final List<AutoCloseable> resources = new ArrayList<>();

  /** Registers {@code resource} for {@link #close()} and returns it. */
  synchronized <T extends AutoCloseable> T add(T resource) {
    resources.add(resource);
    return resource;
  }

  @Override
  public synchronized void close() throws Exception {
    @Nullable Exception first = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    resources.clear();
    if (first != null) {
      throw first;
    }
  }
}
