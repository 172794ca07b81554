package dev.quarry.devtools.swing;

import static dev.quarry.devtools.swing.RowsModel.column;

import dev.quarry.Inspector;
import dev.quarry.Quarry;
import dev.quarry.cache.FetchStatus;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationStatus;
import dev.quarry.optimistic.OutboxRecord;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.Font;
import java.awt.GridLayout;
import java.awt.HeadlessException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JTabbedPane;
import javax.swing.WindowConstants;

/**
 * React Query Devtools for a Swing application: a component that shows a {@link Quarry} live.
 *
 * <ul>
 *   <li><b>Queries</b>: key, state badge (fresh, stale, fetching, paused, error, inactive), status,
 *       fetch status, observers, updated, gc due; a filter box; the selected query's data as a JSON
 *       tree, and the actions refetch, invalidate, reset and remove.
 *   <li><b>Mutations</b>: status, paused, scope, variables, error.
 *   <li><b>Realtime</b>: connection state, endpoint, whether the last reconnect recovered the
 *       session, every topic and its state.
 *   <li><b>Stores</b> and <b>Outbox</b> (pending records, records set aside).
 *   <li>A header with a summary and a button that takes the client offline and back online.
 * </ul>
 *
 * <pre>{@code
 * Quarry quarry = Quarry.builder()...callbackExecutor(SwingUtilities::invokeLater).build();
 * frame.add(QuarryDevtools.create(quarry), BorderLayout.EAST);   // docked in the app's window
 * QuarryDevtools.openWindow(quarry);                               // or in a window of its own
 * }</pre>
 *
 * <p><b>Thread:</b> the event dispatch thread for every method, as for any Swing component.
 * <b>Nullness:</b> no method takes or returns null. <b>Reading:</b> everything comes through {@link
 * Quarry#inspector()}; changes it reports ({@link Inspector#subscribe}) are coalesced for {@link
 * DevtoolsOptions#coalesce()} into one refresh, and while displayable the panel also re-reads every
 * {@link DevtoolsOptions#refreshInterval()} for what only the clock changes (staleness, gc due).
 * <b>Lifecycle:</b> the panel listens and runs its timers only while it is displayable: adding it
 * to a shown window starts both ({@link #addNotify()}), removing it from the window or disposing
 * the window stops both and closes its inspector subscription ({@link #removeNotify()}), so a panel
 * that is not shown costs nothing. It never closes the {@code Quarry}; a closed {@code Quarry} is
 * shown as closed.
 */
public final class QuarryDevtools extends JPanel {
  private static final long serialVersionUID = 1L;

  private final transient Quarry quarry;
  private final transient Refresher refresher;
  private final transient List<Registration> listening = new ArrayList<>();
  private final JLabel summary = new JLabel();
  private final JLabel connection = new JLabel();
  private final JButton online = new JButton();
  private final JTabbedPane tabs = new JTabbedPane();
  private final QueriesView queries;
  private Instant now = Instant.EPOCH;
  private final TableView<Inspector.MutationRow> mutations =
      new TableView<>(
          "mutations",
          "mutations",
          List.of(
              column("#", Inspector.MutationRow::id),
              column("Key", m -> m.key().orElse("-")),
              column("Status", m -> m.paused() ? "paused" : Format.lower(m.status())),
              column("Scope", m -> m.scope().orElse("-")),
              column("Variables", m -> m.variables().orElse("-")),
              column("Error", m -> m.error().orElse("-")),
              column("Submitted", m -> Format.ago(m.submittedAt(), now))),
          2);
  private final RealtimeView realtime = new RealtimeView();
  private final TableView<Inspector.StoreRow> stores;
  private final TableView<OutboxRecord> pending =
      new TableView<>(
          "outbox.pending",
          "pending records",
          List.of(
              column("#", OutboxRecord::sequence),
              column("Key", OutboxRecord::mutationKey),
              column("Variables", OutboxRecord::variables),
              column("Scope", r -> r.scope().orElse("-")),
              column("Submitted", r -> Instant.ofEpochMilli(r.submittedAt()).toString())),
          -1);
  private final TableView<OutboxRecord.SetAside> setAside =
      new TableView<>(
          "outbox.setAside",
          "records set aside",
          List.of(
              column("#", r -> r.record().sequence()),
              column("Key", r -> r.record().mutationKey()),
              column("Variables", r -> r.record().variables()),
              column("Reason", OutboxRecord.SetAside::reason)),
          -1);

  private QuarryDevtools(Quarry quarry, DevtoolsOptions options) {
    super(new BorderLayout());
    this.quarry = quarry;
    this.refresher =
        new Refresher(
            options.scheduler().orElse(SwingTimerScheduler.INSTANCE),
            options.coalesce(),
            options.refreshInterval(),
            this::refreshNow);
    this.queries = new QueriesView(quarry, refresher::changed);
    this.stores =
        new TableView<>(
            "stores",
            "stores",
            List.of(
                column("Store", Inspector.StoreRow::name),
                column("State", s -> Format.json(quarry.objectMapper(), s.state()))),
            -1);
    setName("devtools");
    summary.setName("devtools.summary");
    connection.setName("devtools.connection");
    online.setName("devtools.online");
    tabs.setName("devtools.tabs");
    online.addActionListener(
        e -> {
          quarry.connectivity().setOnline(!quarry.connectivity().isOnline());
          refresher.changed();
        });

    JLabel title = new JLabel("Quarry devtools");
    title.setFont(title.getFont().deriveFont(Font.BOLD, title.getFont().getSize2D() + 2f));
    JPanel left = new JPanel(new GridLayout(0, 1));
    left.add(title);
    left.add(summary);
    JPanel right = new JPanel(new FlowLayout(FlowLayout.RIGHT, 6, 2));
    right.add(connection);
    right.add(online);
    JPanel header = new JPanel(new BorderLayout());
    header.setBorder(BorderFactory.createEmptyBorder(4, 8, 4, 8));
    header.add(left, BorderLayout.WEST);
    header.add(right, BorderLayout.EAST);

    JPanel outbox = new JPanel(new GridLayout(2, 1));
    outbox.setName("outbox");
    outbox.add(pending);
    outbox.add(setAside);
    tabs.addTab("Queries", queries);
    tabs.addTab("Mutations", mutations);
    tabs.addTab("Realtime", realtime);
    tabs.addTab("Stores", stores);
    tabs.addTab("Outbox", outbox);
    add(header, BorderLayout.NORTH);
    add(tabs, BorderLayout.CENTER);
    setPreferredSize(new Dimension(900, 420));
  }

  /** A panel on {@code quarry} with the {@linkplain DevtoolsOptions#defaults() defaults}. EDT. */
  public static QuarryDevtools create(Quarry quarry) {
    return create(quarry, DevtoolsOptions.defaults());
  }

  /** A panel on {@code quarry}; it starts reading when it becomes displayable. EDT. */
  public static QuarryDevtools create(Quarry quarry, DevtoolsOptions options) {
    Objects.requireNonNull(quarry, "quarry");
    Objects.requireNonNull(options, "options");
    return new QuarryDevtools(quarry, options);
  }

  /**
   * Opens a panel on {@code quarry} in a window of its own and shows it. Closing the window
   * disposes it, which stops the panel; the {@code Quarry} stays open. EDT.
   *
   * @return the shown window
   * @throws HeadlessException on a JVM without a display
   */
  public static JFrame openWindow(Quarry quarry) {
    JFrame frame = new JFrame("Quarry devtools");
    frame.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
    frame.add(create(quarry), BorderLayout.CENTER);
    frame.pack();
    frame.setLocationByPlatform(true);
    frame.setVisible(true);
    return frame;
  }

  /**
   * Re-reads the inspector now and shows the result, without waiting for the coalescing timer. The
   * timers call this; so may an application or a test. EDT.
   */
  public void refreshNow() {
    Inspector inspector = quarry.inspector();
    Inspector.Snapshot s;
    try {
      s = inspector.snapshot();
    } catch (RuntimeException e) {
      summary.setText("cannot read this Quarry: " + e.getMessage());
      return;
    }
    now = s.takenAt();
    queries.show(s, inspector);
    mutations.show(s.mutations());
    realtime.show(s.realtime());
    stores.show(s.stores());
    Inspector.Outbox o = inspector.outbox();
    pending.show(o.pending());
    setAside.show(o.setAside());

    long fetching =
        s.queries().stream().filter(q -> q.fetchStatus() == FetchStatus.FETCHING).count();
    long stale = s.queries().stream().filter(q -> Format.badge(q).equals("stale")).count();
    long running = s.mutations().stream().filter(m -> m.status() == MutationStatus.PENDING).count();
    summary.setText(
        s.queries().size()
            + " queries · "
            + fetching
            + " fetching · "
            + stale
            + " stale · "
            + running
            + " mutations pending"
            + (quarry.isClosed() ? " · CLOSED" : ""));
    boolean isOnline = quarry.connectivity().isOnline();
    online.setText(isOnline ? "Online · go offline" : "Offline · go online");
    online.setForeground(isOnline ? Format.FRESH : Format.ERROR);
    connection.setText(
        s.realtime().map(r -> "Realtime: " + Format.lower(r.state())).orElse("No realtime"));
    tabs.setTitleAt(0, "Queries (" + s.queries().size() + ")");
    tabs.setTitleAt(1, "Mutations (" + s.mutations().size() + ")");
    tabs.setTitleAt(
        2, "Realtime (" + s.realtime().map(r -> Format.lower(r.state())).orElse("none") + ")");
    tabs.setTitleAt(3, "Stores (" + s.stores().size() + ")");
    tabs.setTitleAt(
        4, "Outbox (" + o.pending().size() + " pending, " + o.setAside().size() + " set aside)");
  }

  /** Whether the panel listens to the inspector and runs its timers (only while displayable). */
  public boolean isListening() {
    return refresher.isRunning();
  }

  /**
   * Starts listening and the timers, and shows the current state: the panel became displayable (it
   * was added to a shown window, or its window was shown). Called by Swing.
   */
  @Override
  public void addNotify() {
    super.addNotify();
    if (refresher.isRunning()) {
      return;
    }
    refresher.start();
    if (!quarry.isClosed()) {
      try {
        listening.add(quarry.inspector().subscribe(refresher::changed));
        listening.add(quarry.connectivity().onOnlineChange(on -> refresher.changed()));
      } catch (IllegalStateException e) {
        // closed meanwhile: the panel shows what can still be read
      }
    }
    refreshNow();
  }

  /**
   * Stops listening and the timers: the panel was removed from its window or the window was
   * disposed. Nothing of the panel runs after this until it is displayable again. Called by Swing.
   */
  @Override
  public void removeNotify() {
    refresher.stop();
    listening.forEach(Registration::close);
    listening.clear();
    super.removeNotify();
  }

  /** The queries tab, for this package's tests. */
  QueriesView queriesView() {
    return queries;
  }

  /** Shows a tab: 0 queries, 1 mutations, 2 realtime, 3 stores, 4 outbox. */
  void showTab(int index) {
    tabs.setSelectedIndex(index);
  }
}
