package dev.quarry.devtools.swing;

import java.util.List;
import java.util.function.Function;
import javax.swing.table.AbstractTableModel;

/**
 * A read-only table model over a list of rows, one function per column. EDT only; {@link #setRows}
 * replaces every row (the views keep the selection themselves).
 */
final class RowsModel<R> extends AbstractTableModel {
  private static final long serialVersionUID = 1L;

  /** One column: its header and how a row shows in it. */
  record Column<R>(String name, Function<R, Object> value) {}

  private final List<Column<R>> columns;
  private transient List<R> rows = List.of();

  RowsModel(List<Column<R>> columns) {
    this.columns = List.copyOf(columns);
  }

  static <R> Column<R> column(String name, Function<R, Object> value) {
    return new Column<>(name, value);
  }

  void setRows(List<R> rows) {
    this.rows = List.copyOf(rows);
    fireTableDataChanged();
  }

  R row(int index) {
    return rows.get(index);
  }

  List<R> rows() {
    return rows;
  }

  @Override
  public int getRowCount() {
    return rows.size();
  }

  @Override
  public int getColumnCount() {
    return columns.size();
  }

  @Override
  public String getColumnName(int column) {
    return columns.get(column).name();
  }

  @Override
  public Object getValueAt(int row, int column) {
    return columns.get(column).value().apply(rows.get(row));
  }
}
