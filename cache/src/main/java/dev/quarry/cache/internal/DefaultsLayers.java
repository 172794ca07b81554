package dev.quarry.cache.internal;

import dev.quarry.cache.QueryDefaults;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.QueryKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The layers of settings a query's options are merged over (spec 2.11): the client's defaults, then
 * every {@code setQueryDefaults} entry whose key is a prefix of the query's key, in registration
 * order, then the explicit options.
 *
 * <p>A version counts the changes of the per-key entries, so that the settings a {@code fetchQuery}
 * resolved for one options instance can be kept on its query ({@link Memo}) and reused by the next
 * call with the same instance, as long as no entry changed in between. Options, defaults and keys
 * are immutable, so the instance and the version determine the result.
 */
final class DefaultsLayers {
  private final QueryDefaults client;
  private final LinkedHashMap<QueryKey, QueryDefaults> byKey = new LinkedHashMap<>();
  private final AtomicLong version = new AtomicLong();

  /**
   * The settings {@code fetchQuery}-like calls resolved for one options instance, kept on the query
   * after its gcTime was offered to the query.
   *
   * @param options the options instance (compared by identity)
   * @param version the version of the per-key entries read before merging
   * @param resolved the merged settings
   * @param staleTime {@code resolved.staleTime()}, here so a fresh hit reads one object less
   */
  record Memo(Object options, long version, Resolved resolved, StaleTime staleTime) {}

  DefaultsLayers(QueryDefaults client) {
    this.client = client;
  }

  /** Registers (or replaces) the defaults of keys under {@code prefix}. */
  void put(QueryKey prefix, QueryDefaults d) {
    synchronized (byKey) {
      byKey.put(prefix, d);
      version.incrementAndGet();
    }
  }

  /** The per-key defaults that apply to {@code key}, merged in registration order. */
  QueryDefaults forKey(QueryKey key) {
    QueryDefaults out = QueryDefaults.none();
    synchronized (byKey) {
      for (Map.Entry<QueryKey, QueryDefaults> e : byKey.entrySet()) {
        if (key.matches(e.getKey())) {
          out = out.overriddenBy(e.getValue());
        }
      }
    }
    return out;
  }

  /** Every layer merged for {@code key}, {@code explicit} last. */
  QueryDefaults merged(QueryKey key, QueryDefaults explicit) {
    return client.overriddenBy(forKey(key)).overriddenBy(explicit);
  }

  /**
   * The settings of a {@code fetchQuery}-like call (retry never unless set) with {@code options} on
   * {@code q}, whose gcTime has been offered to {@code q} (max wins): the ones kept on {@code q} if
   * they were resolved for this very instance since the last change of the per-key entries, else
   * merged now, offered and kept. As a query's gcTime only grows, offering the same one again would
   * change nothing, so a kept memo needs neither the merge nor the query's lock.
   */
  Memo forFetch(Query<?> q, Object options, QueryKey key, QueryDefaults explicit) {
    long v = version.get(); // read before merging: a change made meanwhile makes the memo outdated
    Memo m = q.fetchSettings();
    if (m != null && m.options() == options && m.version() == v) {
      return m;
    }
    Resolved r = Resolved.of(merged(key, explicit), false);
    q.observeGcTime(r.gcTime());
    m = new Memo(options, v, r, r.staleTime());
    q.keepFetchSettings(m); // after the offer: whoever reads the memo sees the offer done
    return m;
  }
}
