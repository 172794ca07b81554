package dev.quarry.devtools.swing;

import static dev.quarry.devtools.swing.RowsModel.column;

import dev.quarry.Inspector;
import dev.quarry.Quarry;
import dev.quarry.cache.QueryFilters;
import dev.quarry.core.QueryKey;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import javax.swing.BorderFactory;
import javax.swing.BoxLayout;
import javax.swing.JButton;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTable;
import javax.swing.JTextField;
import javax.swing.JTree;
import javax.swing.ListSelectionModel;
import javax.swing.RowFilter;
import javax.swing.event.DocumentEvent;
import javax.swing.event.DocumentListener;
import javax.swing.table.TableRowSorter;
import org.jspecify.annotations.Nullable;

/**
 * The queries tab: a filter box, a table of every cached query and, for the selected one, its
 * state, its data as a JSON tree and the actions refetch, invalidate, reset and remove. EDT only.
 */
final class QueriesView extends JPanel {
  private static final long serialVersionUID = 1L;

  private final transient Runnable changed;
  private Instant now = Instant.EPOCH;
  private final RowsModel<Inspector.QueryRow> model =
      new RowsModel<>(
          List.of(
              column("Query key", Inspector.QueryRow::key),
              column("State", Format::badge),
              column("Status", q -> Format.lower(q.status())),
              column("Fetch", q -> Format.lower(q.fetchStatus())),
              column("Observers", Inspector.QueryRow::observers),
              column("Updated", q -> Format.ago(q.dataUpdatedAt(), now)),
              column("GC due", q -> Format.in(q.gcDueAt(), now))));
  private final JTable table = new JTable(model);
  private final TableRowSorter<RowsModel<Inspector.QueryRow>> sorter = new TableRowSorter<>(model);
  private final JTextField filter = new JTextField(18);
  private final JLabel count = new JLabel();
  private final JLabel detailKey = new JLabel("Select a query");
  private final JLabel detailState = new JLabel(" ");
  private final JLabel detailError = new JLabel(" ");
  private final JTree data = new JTree(JsonTrees.empty("no query selected"));
  private final JButton refetch = new JButton("Refetch");
  private final JButton invalidate = new JButton("Invalidate");
  private final JButton reset = new JButton("Reset");
  private final JButton remove = new JButton("Remove");

  private @Nullable String selectedKey;
  private Optional<Instant> shownDataAt = Optional.empty();
  private @Nullable String shownDataKey;
  private boolean updatingRows;

  QueriesView(Quarry quarry, Runnable changed) {
    super(new BorderLayout());
    this.changed = changed;
    setName("queries");
    table.setName("queries.table");
    table.setRowSorter(sorter);
    table.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
    table.getColumnModel().getColumn(1).setCellRenderer(new BadgeRenderer());
    int[] widths = {230, 64, 64, 64, 70, 80, 70};
    for (int i = 0; i < widths.length; i++) {
      table.getColumnModel().getColumn(i).setPreferredWidth(widths[i]);
    }
    table.setFillsViewportHeight(true);
    table
        .getSelectionModel()
        .addListSelectionListener(
            e -> {
              if (!e.getValueIsAdjusting() && !updatingRows) {
                int view = table.getSelectedRow();
                select(view < 0 ? null : model.row(table.convertRowIndexToModel(view)).key());
              }
            });
    filter.setName("queries.filter");
    filter.setToolTipText("Filter queries by key");
    filter.getDocument().addDocumentListener(new FilterListener());
    count.setName("queries.count");
    detailKey.setName("queries.detail.key");
    detailState.setName("queries.detail.state");
    detailError.setName("queries.detail.error");
    data.setName("queries.data");
    refetch.setName("queries.refetch");
    invalidate.setName("queries.invalidate");
    reset.setName("queries.reset");
    remove.setName("queries.remove");
    refetch.addActionListener(e -> act(k -> quarry.queries().refetchQueries(exact(k))));
    invalidate.addActionListener(e -> act(k -> quarry.queries().invalidateQueries(exact(k))));
    reset.addActionListener(e -> act(k -> quarry.queries().resetQueries(exact(k))));
    remove.addActionListener(
        e ->
            act(
                k -> {
                  quarry.queries().removeQueries(exact(k));
                  return CompletableFuture.completedFuture(null);
                }));

    JPanel top = new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 4));
    top.add(new JLabel("Filter:"));
    top.add(filter);
    top.add(count);

    JPanel actions = new JPanel(new FlowLayout(FlowLayout.LEFT, 4, 2));
    actions.add(refetch);
    actions.add(invalidate);
    actions.add(reset);
    actions.add(remove);
    JPanel header = new JPanel();
    header.setLayout(new BoxLayout(header, BoxLayout.Y_AXIS));
    header.setBorder(BorderFactory.createEmptyBorder(4, 6, 4, 6));
    for (javax.swing.JComponent c : List.of(detailKey, detailState, detailError, actions)) {
      c.setAlignmentX(LEFT_ALIGNMENT);
    }
    header.add(detailKey);
    header.add(detailState);
    header.add(detailError);
    header.add(actions);
    JPanel detail = new JPanel(new BorderLayout());
    detail.add(header, BorderLayout.NORTH);
    detail.add(new JScrollPane(data), BorderLayout.CENTER);

    JScrollPane tableScroll = new JScrollPane(table);
    tableScroll.setPreferredSize(new Dimension(560, 300));
    detail.setPreferredSize(new Dimension(320, 300));
    JSplitPane split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, tableScroll, detail);
    split.setResizeWeight(0.62);
    add(top, BorderLayout.NORTH);
    add(split, BorderLayout.CENTER);
    enableActions(false);
  }

  /** Shows {@code snapshot}'s queries, keeping the selection and the filter. */
  void show(Inspector.Snapshot snapshot, Inspector inspector) {
    now = snapshot.takenAt();
    updatingRows = true;
    try {
      model.setRows(snapshot.queries());
      reselect();
    } finally {
      updatingRows = false;
    }
    count.setText(table.getRowCount() + " of " + model.getRowCount() + " queries");
    Optional<Inspector.QueryRow> selected =
        snapshot.queries().stream().filter(q -> q.key().equals(selectedKey)).findFirst();
    if (selectedKey != null && selected.isEmpty()) {
      selectedKey = null; // removed or collected
    }
    showDetail(selected, inspector);
  }

  /** Selects the query whose canonical key is {@code key}, or nothing. */
  void select(@Nullable String key) {
    selectedKey = key;
    if (!updatingRows) {
      changed.run();
    }
  }

  @Nullable String selectedKey() {
    return selectedKey;
  }

  int visibleRows() {
    return table.getRowCount();
  }

  private void reselect() {
    if (selectedKey == null) {
      table.clearSelection();
      return;
    }
    List<Inspector.QueryRow> rows = model.rows();
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).key().equals(selectedKey)) {
        int view = table.convertRowIndexToView(i);
        if (view >= 0) {
          table.setRowSelectionInterval(view, view);
        }
        return;
      }
    }
  }

  private void showDetail(Optional<Inspector.QueryRow> selected, Inspector inspector) {
    enableActions(selected.isPresent());
    if (selected.isEmpty()) {
      detailKey.setText("Select a query");
      detailState.setText(" ");
      detailError.setText(" ");
      if (shownDataKey != null) {
        data.setModel(JsonTrees.empty("no query selected"));
        shownDataKey = null;
      }
      return;
    }
    Inspector.QueryRow q = selected.get();
    detailKey.setText("Query " + q.key());
    detailState.setText(
        Format.badge(q)
            + " · "
            + Format.lower(q.status())
            + " · "
            + q.observers()
            + " observer(s) · updated "
            + Format.ago(q.dataUpdatedAt(), now));
    detailError.setText(q.error().map(e -> "Error: " + e).orElse(" "));
    if (!q.key().equals(shownDataKey) || !q.dataUpdatedAt().equals(shownDataAt)) {
      shownDataKey = q.key();
      shownDataAt = q.dataUpdatedAt();
      data.setModel(
          inspector
              .queryData(q.key())
              .map(json -> JsonTrees.model("data", json))
              .orElseGet(() -> JsonTrees.empty("no data")));
      for (int i = 0; i < data.getRowCount() && i < 40; i++) {
        data.expandRow(i);
      }
    }
  }

  private void enableActions(boolean enabled) {
    refetch.setEnabled(enabled);
    invalidate.setEnabled(enabled);
    reset.setEnabled(enabled);
    remove.setEnabled(enabled);
  }

  private static QueryFilters exact(String key) {
    return QueryFilters.exact(QueryKey.fromJson(key));
  }

  /** Runs an action on the selected query; a failure shows in the table (the query's error). */
  @SuppressWarnings("FutureReturnValueIgnored")
  private void act(java.util.function.Function<String, CompletableFuture<?>> action) {
    String key = selectedKey;
    if (key != null) {
      action.apply(key).exceptionally(e -> null);
      changed.run();
    }
  }

  private final class FilterListener implements DocumentListener {
    @Override
    public void insertUpdate(DocumentEvent e) {
      apply();
    }

    @Override
    public void removeUpdate(DocumentEvent e) {
      apply();
    }

    @Override
    public void changedUpdate(DocumentEvent e) {
      apply();
    }

    private void apply() {
      String text = Objects.requireNonNullElse(filter.getText(), "").trim();
      sorter.setRowFilter(
          text.isEmpty() ? null : RowFilter.regexFilter("(?i)" + Pattern.quote(text), 0));
      count.setText(table.getRowCount() + " of " + model.getRowCount() + " queries");
    }
  }
}
