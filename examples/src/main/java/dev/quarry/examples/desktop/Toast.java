package dev.quarry.examples.desktop;

import java.awt.Color;
import javax.swing.BorderFactory;
import javax.swing.JLabel;
import javax.swing.Timer;

/** A one-line message at the bottom of the window that hides itself after a while. EDT only. */
final class Toast extends JLabel {
  private static final long serialVersionUID = 1L;

  private final Timer hide = new Timer(6_000, e -> setVisible(false));

  Toast() {
    setName("studio.toast");
    setOpaque(true);
    setBackground(new Color(0x33, 0x33, 0x33));
    setForeground(Color.WHITE);
    setBorder(BorderFactory.createEmptyBorder(6, 12, 6, 12));
    hide.setRepeats(false);
    setVisible(false);
  }

  /** Shows {@code message} until it is replaced or a few seconds pass. */
  void show(String message) {
    setText(message);
    setVisible(true);
    hide.restart();
  }

  /** Stops the hide timer (the window is closing). */
  void stop() {
    hide.stop();
  }
}
