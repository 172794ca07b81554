package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NotificationsTest {
  record Notice(String text) {}

  final VirtualTime time = new VirtualTime();
  final List<String> errors = new CopyOnWriteArrayList<>();
  final Quarry quarry =
      Quarry.builder()
          .time(time, time)
          .callbackExecutor(VirtualTime.direct())
          .errorHandler((context, error) -> errors.add(context + ": " + error.getMessage()))
          .build();

  @AfterEach
  void close() {
    quarry.close();
  }

  @Test
  void post_keepsTheNewestFirst_dropsTheOldestBeyondCapacity() {
    Notifications<Notice> feed = quarry.notifications("notification", Notice.class, 3);

    for (int i = 1; i <= 5; i++) {
      feed.post(new Notice("n" + i));
      time.advance(Duration.ofSeconds(1));
    }

    Notifications.Feed<Notice> now = feed.feed();
    assertThat(now.items()).extracting(i -> i.payload().text()).containsExactly("n5", "n4", "n3");
    assertThat(now.items()).extracting(Notifications.Item::id).containsExactly(5L, 4L, 3L);
    assertThat(now.items().get(0).receivedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:04Z"));
    assertThat(now.unreadCount()).isEqualTo(3);
  }

  @Test
  void markRead_andMarkAllRead_lowerTheUnreadCount() {
    Notifications<Notice> feed = quarry.notifications("notification", Notice.class, 10);
    feed.post(new Notice("a"));
    feed.post(new Notice("b"));
    feed.post(new Notice("c"));

    assertThat(feed.markRead(2)).isTrue();
    assertThat(feed.markRead(2)).isTrue();
    assertThat(feed.markRead(99)).isFalse();
    assertThat(feed.feed().unreadCount()).isEqualTo(2);
    assertThat(feed.feed().items().get(1).read()).isTrue();

    feed.markAllRead();
    assertThat(feed.feed().unreadCount()).isZero();
    feed.clear();
    assertThat(feed.feed().items()).isEmpty();
  }

  @Test
  void subscribe_getsTheCurrentFeedThenEveryChange_inOrder() {
    Notifications<Notice> feed = quarry.notifications("notification", Notice.class, 10);
    feed.post(new Notice("a"));
    List<Integer> unread = new CopyOnWriteArrayList<>();

    var sub = feed.subscribe(f -> unread.add(f.unreadCount()));
    feed.post(new Notice("b"));
    feed.markRead(1);
    feed.markRead(1); // already read: no change, no notification
    feed.markAllRead();
    sub.close();
    feed.post(new Notice("c"));

    assertThat(unread).containsExactly(1, 2, 1, 0);
  }

  @Test
  void aThrowingListener_isReported_andOthersStillReceive() {
    Notifications<Notice> feed = quarry.notifications("notification", Notice.class, 10);
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    feed.subscribe(
        f -> {
          throw new IllegalStateException("boom");
        });
    feed.subscribe(f -> sizes.add(f.items().size()));

    feed.post(new Notice("a"));

    assertThat(sizes).containsExactly(0, 1);
    assertThat(errors).hasSize(2).allMatch(e -> e.contains("boom"));
  }

  @Test
  void capacityBelowOne_isRejectedNamingTheValue() {
    assertThatThrownBy(() -> quarry.notifications("n", Notice.class, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity")
        .hasMessageContaining("0");
  }
}
