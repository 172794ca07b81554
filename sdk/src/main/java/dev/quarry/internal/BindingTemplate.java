package dev.quarry.internal;

import dev.quarry.TopicBinding;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.realtime.Topic;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Bindings declared once for a family of keys: the first observer of a key under the prefix makes
 * (once per topic) a {@link TopicBinding} with the declared rules and binds the key to it.
 */
public final class BindingTemplate implements Registration {
  private final QueryKey prefix;
  private final Function<QueryKey, Optional<Topic>> topicOf;
  private final BiConsumer<Topic, TopicBinding> rules;
  private final Function<Topic, TopicBinding> bind;
  private final ErrorHandler errorHandler;
  private final Map<Topic, TopicBinding> bindings = new LinkedHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param bind creates a binding for a topic (the facade's {@code bind})
   */
  public BindingTemplate(
      QueryKey prefix,
      Function<QueryKey, Optional<Topic>> topicOf,
      BiConsumer<Topic, TopicBinding> rules,
      Function<Topic, TopicBinding> bind,
      ErrorHandler errorHandler) {
    this.prefix = prefix;
    this.topicOf = topicOf;
    this.rules = rules;
    this.bind = bind;
    this.errorHandler = errorHandler;
  }

  /** Handles a cache event (on the callback executor, in order). */
  public void onCacheEvent(QueryCacheEvent event) {
    if (closed.get()
        || !(event instanceof QueryCacheEvent.ObserverAdded)
        || !event.key().matches(prefix)) {
      return;
    }
    QueryKey key = event.key();
    Optional<Topic> topic;
    try {
      topic = topicOf.apply(key);
    } catch (RuntimeException e) {
      errorHandler.safeHandle("topic function of bindings under " + prefix + " for " + key, e);
      return;
    }
    if (topic.isEmpty()) {
      return;
    }
    TopicBinding binding;
    boolean created = false;
    synchronized (this) {
      binding = bindings.get(topic.get());
      if (binding == null) {
        binding = bind.apply(topic.get());
        bindings.put(topic.get(), binding);
        created = true;
      }
    }
    if (created) {
      try {
        rules.accept(topic.get(), binding);
      } catch (RuntimeException e) {
        errorHandler.safeHandle("rules of bindings under " + prefix + " for " + topic.get(), e);
      }
    }
    binding.live(key);
  }

  /** The bindings made so far, by topic. */
  public synchronized Map<Topic, TopicBinding> bindings() {
    return Map.copyOf(bindings);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      Map<Topic, TopicBinding> all;
      synchronized (this) {
        all = new LinkedHashMap<>(bindings);
        bindings.clear();
      }
      all.values().forEach(TopicBinding::close);
    }
  }
}
