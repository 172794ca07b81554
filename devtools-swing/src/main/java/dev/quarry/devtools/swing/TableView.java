package dev.quarry.devtools.swing;

import java.awt.BorderLayout;
import java.util.List;
import javax.swing.BorderFactory;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTable;

/** A titled read-only table of rows; a badge column is drawn as badges. EDT only. */
final class TableView<R> extends JPanel {
  private static final long serialVersionUID = 1L;

  private final RowsModel<R> model;
  private final JTable table;
  private final JLabel title = new JLabel();
  private final String noun;

  /**
   * @param name the component names: {@code name.table}, {@code name.title}
   * @param noun what a row is, for the title ({@code "3 mutations"})
   * @param badgeColumn the column drawn as badges, or -1
   */
  TableView(String name, String noun, List<RowsModel.Column<R>> columns, int badgeColumn) {
    super(new BorderLayout());
    this.noun = noun;
    this.model = new RowsModel<>(columns);
    this.table = new JTable(model);
    setName(name);
    table.setName(name + ".table");
    title.setName(name + ".title");
    table.setFillsViewportHeight(true);
    table.setAutoCreateRowSorter(true);
    if (badgeColumn >= 0) {
      table.getColumnModel().getColumn(badgeColumn).setCellRenderer(new BadgeRenderer());
    }
    title.setBorder(BorderFactory.createEmptyBorder(4, 6, 4, 6));
    add(title, BorderLayout.NORTH);
    add(new JScrollPane(table), BorderLayout.CENTER);
    show(List.of());
  }

  void show(List<R> rows) {
    model.setRows(rows);
    title.setText(rows.size() + " " + noun);
  }

  int rowCount() {
    return model.getRowCount();
  }
}
