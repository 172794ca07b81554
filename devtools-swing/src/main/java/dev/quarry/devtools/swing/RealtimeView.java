package dev.quarry.devtools.swing;

import static dev.quarry.devtools.swing.RowsModel.column;

import dev.quarry.Inspector;
import dev.quarry.realtime.TopicStatus;
import java.awt.BorderLayout;
import java.awt.GridLayout;
import java.util.List;
import java.util.Optional;
import javax.swing.BorderFactory;
import javax.swing.JLabel;
import javax.swing.JPanel;

/** The realtime tab: connection state, endpoint, last recovery, and the topics. EDT only. */
final class RealtimeView extends JPanel {
  private static final long serialVersionUID = 1L;

  private final JLabel state = new JLabel();
  private final JLabel endpoint = new JLabel();
  private final JLabel recovery = new JLabel();
  private final TableView<TopicStatus> topics =
      new TableView<>(
          "realtime.topics",
          "topics",
          List.of(
              column("Topic", t -> t.topic().name()),
              column("Params", t -> t.topic().params().toString()),
              column("State", t -> Format.lower(t.state())),
              column("Subscribers", TopicStatus::subscribers)),
          2);

  RealtimeView() {
    super(new BorderLayout());
    setName("realtime");
    state.setName("realtime.state");
    endpoint.setName("realtime.endpoint");
    recovery.setName("realtime.recovery");
    JPanel header = new JPanel(new GridLayout(0, 1));
    header.setBorder(BorderFactory.createEmptyBorder(6, 6, 6, 6));
    header.add(state);
    header.add(endpoint);
    header.add(recovery);
    add(header, BorderLayout.NORTH);
    add(topics, BorderLayout.CENTER);
    show(Optional.empty());
  }

  void show(Optional<Inspector.RealtimeRow> row) {
    if (row.isEmpty()) {
      state.setText("Connection: none (this Quarry has no realtime connection)");
      endpoint.setText(" ");
      recovery.setText(" ");
      topics.show(List.of());
      return;
    }
    Inspector.RealtimeRow r = row.get();
    state.setText("Connection: " + Format.lower(r.state()));
    endpoint.setText("Endpoint: " + r.endpoint().map(Object::toString).orElse("not connected yet"));
    recovery.setText(
        "Last reconnect: "
            + r.lastRecovery()
                .map(
                    x ->
                        x.at()
                            + (x.recovered()
                                ? " · recovered (no events missed)"
                                : " · not recovered (bound queries refetched)"))
                .orElse("none"));
    topics.show(r.topics());
  }
}
