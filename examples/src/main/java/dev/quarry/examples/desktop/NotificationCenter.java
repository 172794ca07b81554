package dev.quarry.examples.desktop;

import dev.quarry.Notifications;
import dev.quarry.Quarry;
import dev.quarry.core.Registration;
import dev.quarry.examples.studio.Notification;
import java.awt.BorderLayout;
import java.awt.Dimension;
import javax.swing.BorderFactory;
import javax.swing.DefaultListModel;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JToggleButton;

/**
 * The notification center: a bell button with the unread count and a list of the last notifications
 * the server pushed ({@code notification} events), newest first. Opening the list marks everything
 * read. EDT only; {@link #close()} stops the feed.
 */
final class NotificationCenter implements AutoCloseable {
  private final Notifications<Notification> inbox;
  private final Registration listening;
  private final JToggleButton button = new JToggleButton();
  private final DefaultListModel<String> items = new DefaultListModel<>();
  private final JPanel panel = new JPanel(new BorderLayout());

  NotificationCenter(Quarry quarry) {
    this.inbox = quarry.notifications("notification", Notification.class, 50);
    button.setName("studio.notifications");
    JList<String> list = new JList<>(items);
    list.setName("studio.notifications.list");
    JLabel title = new JLabel("Notifications");
    title.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
    panel.add(title, BorderLayout.NORTH);
    panel.add(new JScrollPane(list), BorderLayout.CENTER);
    panel.setPreferredSize(new Dimension(260, 200));
    panel.setName("studio.notifications.panel");
    panel.setVisible(false);
    button.addActionListener(
        e -> {
          panel.setVisible(button.isSelected());
          if (button.isSelected()) {
            inbox.markAllRead();
          }
          panel.revalidate();
        });
    show(inbox.feed());
    // the facade runs this on its callback executor: the event dispatch thread in this app
    listening = inbox.subscribe(this::show);
  }

  private void show(Notifications.Feed<Notification> feed) {
    button.setText(
        feed.unreadCount() == 0 ? "Notifications" : "Notifications (" + feed.unreadCount() + ")");
    items.clear();
    for (Notifications.Item<Notification> item : feed.items()) {
      Notification n = item.payload();
      items.addElement((item.read() ? "" : "● ") + n.level() + ": " + n.message());
    }
  }

  JToggleButton button() {
    return button;
  }

  JPanel panel() {
    return panel;
  }

  @Override
  public void close() {
    listening.close();
    inbox.close();
  }
}
