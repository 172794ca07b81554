package dev.quarry.internal;

import dev.quarry.TopicBinding;
import dev.quarry.core.Clock;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeConnection;
import dev.quarry.realtime.Topic;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The facade's namespaces besides its main one, all on the main client's connection: for each, its
 * client, a monitor (for the inspector; connectivity follows the main namespace only) and its own
 * topic bindings, so that a gap in one namespace invalidates only the queries bound to its topics.
 *
 * <p>Made once when the facade is built, read-only after: thread-safe. {@link #close()} closes the
 * bindings and monitors; the connection (and with it every namespace) is closed by the facade.
 */
public final class RealtimeNamespaces implements AutoCloseable {
  private record Entry(RealtimeClient client, RealtimeMonitor monitor, Bindings bindings) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final String main;

  /**
   * Opens a handle of each of {@code namespaces} (name to auth; a null auth: the connection's) on
   * {@code connection}, with bindings from {@code bindings}; connects them if {@code connect}.
   *
   * @throws IllegalArgumentException if a name is not a valid namespace or is {@code main}
   */
  public RealtimeNamespaces(
      RealtimeConnection connection,
      String main,
      Map<String, @Nullable Supplier<?>> namespaces,
      Function<RealtimeMonitor, Bindings> bindings,
      Clock clock,
      boolean connect) {
    this.main = main;
    try {
      for (Map.Entry<String, @Nullable Supplier<?>> n : namespaces.entrySet()) {
        if (n.getKey().equals(main)) {
          throw new IllegalArgumentException(
              "realtime namespace " + main + " is the main namespace; name only the others");
        }
        Supplier<?> auth = n.getValue();
        RealtimeClient client =
            auth == null
                ? connection.namespace(n.getKey())
                : connection.namespace(n.getKey(), auth);
        RealtimeMonitor monitor = new RealtimeMonitor(client, clock, null);
        entries.put(n.getKey(), new Entry(client, monitor, bindings.apply(monitor)));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    if (connect) {
      entries.values().forEach(e -> e.client().connect());
    }
  }

  private Entry entry(String namespace) {
    Entry e = entries.get(namespace);
    if (e == null) {
      throw new IllegalArgumentException(
          "no realtime namespace '"
              + namespace
              + "' on this Quarry (main: "
              + main
              + ", others: "
              + List.copyOf(entries.keySet())
              + "): add it with Quarry.builder().realtimeNamespace(\""
              + namespace
              + "\")");
    }
    return e;
  }

  /** The main namespace (the facade's own client, not held here). */
  public String main() {
    return main;
  }

  /** The client of {@code namespace}. */
  public RealtimeClient client(String namespace) {
    return entry(namespace).client();
  }

  /** A new binding of {@code topic} in {@code namespace}. */
  public TopicBinding bind(String namespace, Topic topic) {
    return entry(namespace).bindings().bind(topic);
  }

  @Override
  public void close() {
    for (Entry e : entries.values()) {
      e.bindings().close();
      e.monitor().close();
    }
  }
}
