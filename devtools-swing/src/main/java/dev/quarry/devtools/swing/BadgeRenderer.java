package dev.quarry.devtools.swing;

import java.awt.Color;
import java.awt.Component;
import java.awt.Font;
import javax.swing.JLabel;
import javax.swing.JTable;
import javax.swing.SwingConstants;
import javax.swing.table.DefaultTableCellRenderer;

/** Draws a state word as a coloured badge (white text on the state's colour). EDT only. */
final class BadgeRenderer extends DefaultTableCellRenderer {
  private static final long serialVersionUID = 1L;

  @Override
  public Component getTableCellRendererComponent(
      JTable table, Object value, boolean selected, boolean focused, int row, int column) {
    JLabel label =
        (JLabel) super.getTableCellRendererComponent(table, value, selected, focused, row, column);
    String text = String.valueOf(value);
    label.setHorizontalAlignment(SwingConstants.CENTER);
    label.setFont(label.getFont().deriveFont(Font.BOLD));
    label.setOpaque(true);
    label.setBackground(Format.color(text));
    label.setForeground(Color.WHITE);
    return label;
  }
}
