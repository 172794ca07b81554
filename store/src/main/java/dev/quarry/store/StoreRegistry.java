package dev.quarry.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stores of an application, by name, for an inspector: which stores exist and what state they
 * hold right now.
 *
 * <pre>{@code
 * StoreRegistry stores = new StoreRegistry();
 * Store<Layout> layout = Store.builder(Layout.DEFAULT).name("layout").registry(stores).build();
 * Store<Ui> ui = Store.builder(Ui.DEFAULT).name("ui").registry(stores).build();
 * stores.snapshot();   // {layout=Layout[sidebarOpen=true, ...], ui=Ui[modal=NONE, ...]}
 * }</pre>
 *
 * <p>A store joins the registry given to its {@link Store.Builder#registry builder} when it is
 * built and leaves it when it is closed. Names are unique within a registry: building a second
 * store with a name already registered fails with {@link IllegalArgumentException}.
 *
 * <p>Thread-safe; the views returned are snapshots that later changes do not affect.
 */
public final class StoreRegistry {
  private final Map<String, Store<?>> stores = new LinkedHashMap<>();

  /** Creates an empty registry. */
  public StoreRegistry() {}

  /** The registered stores, in the order they were registered. */
  public synchronized List<Store<?>> stores() {
    return List.copyOf(stores.values());
  }

  /**
   * Each registered store's name and current state ({@link Store#get()}), in registration order.
   * The states are the stores' immutable values, so the map can be rendered or serialized as is.
   */
  public Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Store<?> store : stores()) {
      out.put(store.name(), store.get());
    }
    return Collections.unmodifiableMap(out);
  }

  synchronized void register(Store<?> store) {
    if (stores.containsKey(store.name())) {
      throw new IllegalArgumentException(
          "name: a store named '" + store.name() + "' is already registered");
    }
    stores.put(store.name(), store);
  }

  synchronized void unregister(Store<?> store) {
    stores.remove(store.name(), store);
  }

  @Override
  public synchronized String toString() {
    return "StoreRegistry" + new ArrayList<>(stores.keySet());
  }
}
