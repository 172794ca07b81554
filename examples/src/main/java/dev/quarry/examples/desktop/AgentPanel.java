package dev.quarry.examples.desktop;

import dev.quarry.Progress;
import dev.quarry.ProgressStream;
import dev.quarry.Quarry;
import dev.quarry.examples.StudioClient;
import dev.quarry.examples.studio.AgentEvent;
import dev.quarry.examples.studio.Execution;
import dev.quarry.examples.studio.NewExecution;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import java.awt.BorderLayout;
import java.awt.FlowLayout;
import java.awt.Font;
import java.util.function.Supplier;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import javax.swing.SwingUtilities;
import org.jspecify.annotations.Nullable;

/**
 * The agent execution panel: starts a script-writer execution for the selected project and follows
 * it live over realtime, a progress bar from {@code task-progress} and the draft growing from the
 * {@code agent-event} outputs. EDT only; {@link #close()} leaves the execution's topic.
 */
final class AgentPanel extends JPanel implements AutoCloseable {
  private static final long serialVersionUID = 1L;

  private final transient Quarry quarry;
  private final transient StudioClient studio;
  private final transient Supplier<@Nullable String> project;
  private final transient Toast toast;
  private final JButton run = new JButton("Run script-writer");
  private final JProgressBar progress = new JProgressBar(0, 100);
  private final JLabel status = new JLabel("No execution yet");
  private final JTextArea draft = new JTextArea(8, 28);
  private transient @Nullable ProgressStream stream;
  private transient @Nullable TopicSubscription subscription;

  AgentPanel(Quarry quarry, StudioClient studio, Supplier<@Nullable String> project, Toast toast) {
    super(new BorderLayout());
    this.quarry = quarry;
    this.studio = studio;
    this.project = project;
    this.toast = toast;
    setName("studio.agentPanel");
    run.setName("studio.runAgent");
    progress.setName("studio.progress");
    progress.setStringPainted(true);
    status.setName("studio.agentStatus");
    draft.setName("studio.draft");
    draft.setEditable(false);
    draft.setLineWrap(true);
    draft.setFont(new Font(Font.MONOSPACED, Font.PLAIN, draft.getFont().getSize()));
    run.addActionListener(e -> start());
    run.setEnabled(quarry.hasRealtime());
    JLabel heading = new JLabel("Agent execution");
    heading.setFont(heading.getFont().deriveFont(heading.getFont().getSize2D() + 3f));
    JPanel top = new JPanel(new BorderLayout(6, 4));
    top.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
    JPanel line = new JPanel(new FlowLayout(FlowLayout.LEFT, 0, 0));
    line.add(heading);
    top.add(line, BorderLayout.NORTH);
    top.add(run, BorderLayout.WEST);
    top.add(progress, BorderLayout.CENTER);
    top.add(status, BorderLayout.SOUTH);
    add(top, BorderLayout.NORTH);
    add(new JScrollPane(draft), BorderLayout.CENTER);
  }

  // the future's outcome is handled in whenComplete; the stage it returns has nothing more
  @SuppressWarnings("FutureReturnValueIgnored")
  private void start() {
    String id = project.get();
    if (id == null) {
      toast.show("Select a project first");
      return;
    }
    run.setEnabled(false);
    status.setText("starting...");
    studio
        .startExecution(new NewExecution(id, "script-writer", "outline the next episode"))
        .whenComplete(
            (x, error) ->
                SwingUtilities.invokeLater(
                    () -> {
                      if (error != null) {
                        run.setEnabled(true);
                        status.setText("could not start: " + error.getMessage());
                      } else {
                        follow(x);
                      }
                    }));
  }

  /** Subscribes the execution's room; the backend's agent starts once it has a watcher. */
  private void follow(Execution x) {
    leave();
    draft.setText("");
    progress.setValue(0);
    status.setText(x.agent() + " " + x.id() + ": waiting for the first step");
    Topic topic = Topic.of("execution", "executionId", x.id());
    // listeners run on the facade's callback executor: the event dispatch thread here
    ProgressStream s = quarry.progress(topic, "task-progress");
    s.listen(this::show);
    TopicSubscription sub = quarry.realtime().subscribe(topic);
    sub.on(
        "agent-event",
        AgentEvent.class,
        ev -> {
          if (ev.type().equals("output")) {
            draft.append(ev.message() + "\n");
          }
        });
    stream = s;
    subscription = sub;
  }

  private void show(Progress p) {
    progress.setValue((int) Math.round(p.percent()));
    status.setText(p.message());
    if (p instanceof Progress.Done || p.percent() >= 100) {
      run.setEnabled(true);
    }
  }

  private void leave() {
    if (stream != null) {
      stream.close();
      stream = null;
    }
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
  }

  @Override
  public void close() {
    leave();
  }
}
