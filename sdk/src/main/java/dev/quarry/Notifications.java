package dev.quarry;

import dev.quarry.core.Registration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * A bounded notification feed (the notification center): items arrive from a configured realtime
 * event (or from {@link #post}), newest first; the oldest are dropped beyond the capacity. Items
 * can be marked read; listeners see every change as a new {@link Feed}.
 *
 * <pre>{@code
 * Notifications<Notice> inbox = quarry.notifications("notification", Notice.class, 100);
 * inbox.subscribe(feed -> badge.setText(String.valueOf(feed.unreadCount())));
 * inbox.markRead(inbox.feed().items().get(0).id());
 * inbox.markAllRead();
 * }</pre>
 *
 * <p>Thread-safe. Listeners run on the facade's callback executor, in order, outside any lock; each
 * receives the current feed once at subscription and then every change. A throwing listener is
 * reported to the error handler. {@link #close()} stops listening to the realtime event (items stay
 * readable); {@link Quarry#close()} closes every feed.
 *
 * @param <N> the payload type, decoded from the event's first argument with Jackson
 */
public interface Notifications<N> extends Registration {

  /** The feed now. */
  Feed<N> feed();

  /** Adds a notification (as if it had arrived), for local toasts and tests. */
  void post(N payload);

  /** Marks one item read; false if there is no such item (dropped or never existed). */
  boolean markRead(long id);

  /** Marks every item read. */
  void markAllRead();

  /** Removes every item. */
  void clear();

  /** Listens to changes; the listener gets the current feed first. */
  Registration subscribe(Consumer<? super Feed<N>> listener);

  /** How many items the feed keeps. */
  int capacity();

  /**
   * The feed at one moment.
   *
   * @param items newest first
   * @param unreadCount how many of the items are unread
   */
  record Feed<N>(List<Item<N>> items, int unreadCount) {
    /** Copies the items. */
    public Feed {
      items = List.copyOf(items);
    }
  }

  /**
   * One notification.
   *
   * @param id increasing in arrival order, unique within the feed
   * @param receivedAt when it arrived (facade clock)
   */
  record Item<N>(long id, N payload, Instant receivedAt, boolean read) {
    /** This item, read. */
    public Item<N> asRead() {
      return new Item<>(id, payload, receivedAt, true);
    }
  }
}
