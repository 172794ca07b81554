package dev.quarry.examples.backend;

import dev.quarry.examples.studio.AgentComplete;
import dev.quarry.examples.studio.AgentEvent;
import dev.quarry.examples.studio.Execution;
import dev.quarry.examples.studio.Notification;
import dev.quarry.examples.studio.TaskProgress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs scripted agent executions: each one emits a fixed list of steps to the room of its
 * execution, one step per interval, on the backend's scheduler. An execution starts when its first
 * watcher subscribes (so nothing is emitted into an empty room), or after a grace period if nobody
 * does.
 */
final class AgentRunner {
  /** One step of the script. */
  private record Step(String type, String message, int percent) {}

  private static final List<Step> SCRIPT =
      List.of(
          new Step("thought", "reading the series bible", 8),
          new Step("tool", "search: previous episodes", 16),
          new Step("thought", "outlining three acts", 25),
          new Step("output", "act one: the storm warning", 33),
          new Step("tool", "lookup: character voices", 41),
          new Step("output", "act two: the lamp fails", 50),
          new Step("thought", "checking continuity", 58),
          new Step("output", "act three: rescue at the rocks", 66),
          new Step("tool", "format: screenplay", 75),
          new Step("thought", "tightening dialogue", 83),
          new Step("output", "tag scene: dawn over the harbor", 91),
          new Step("output", "draft ready for review", 100));

  /** Where the runner's events go. */
  interface Sink {
    void toRoom(String room, String event, Object payload);

    void toAll(String event, Object payload);
  }

  private final StudioData data;
  private final ScheduledExecutorService scheduler;
  private final Duration step;
  private final Duration startGrace;
  private final Sink sink;
  private final Map<String, ScheduledFuture<?>> waiting = new ConcurrentHashMap<>();

  AgentRunner(
      StudioData data,
      ScheduledExecutorService scheduler,
      Duration step,
      Duration startGrace,
      Sink sink) {
    this.data = data;
    this.scheduler = scheduler;
    this.step = step;
    this.startGrace = startGrace;
    this.sink = sink;
  }

  /** The room of an execution's events. */
  static String room(String executionId) {
    return "execution:" + executionId;
  }

  /** Creates an execution; it runs when watched, or after the grace period. */
  Execution start(String projectId, String agent) {
    Execution x = data.addExecution(projectId, agent);
    waiting.put(
        x.id(),
        scheduler.schedule(() -> begin(x.id()), startGrace.toNanos(), TimeUnit.NANOSECONDS));
    return x;
  }

  /** Someone joined the room of {@code executionId}: start it now if it is waiting. */
  void watched(String executionId) {
    ScheduledFuture<?> pending = waiting.get(executionId);
    if (pending != null && pending.cancel(false)) {
      begin(executionId);
    }
  }

  private void begin(String executionId) {
    if (waiting.remove(executionId) == null) {
      return;
    }
    data.updateExecution(
        executionId, x -> new Execution(x.id(), x.projectId(), x.agent(), "running", 0, 0));
    scheduleStep(executionId, 0);
  }

  private void scheduleStep(String executionId, int index) {
    // not cancelled one by one: close() stops the whole scheduler
    ScheduledFuture<?> unused =
        scheduler.schedule(() -> runStep(executionId, index), step.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void runStep(String executionId, int index) {
    Step s = SCRIPT.get(index);
    int seq = index + 1;
    data.updateExecution(
        executionId,
        x -> new Execution(x.id(), x.projectId(), x.agent(), "running", s.percent(), seq));
    String room = room(executionId);
    AgentEvent event = new AgentEvent(executionId, seq, s.type(), s.message());
    data.addEvent(event);
    sink.toRoom(room, "agent-event", event);
    String status = seq < SCRIPT.size() ? "running" : "completed";
    sink.toRoom(
        room, "task-progress", new TaskProgress(executionId, s.percent(), s.message(), status));
    if (seq < SCRIPT.size()) {
      scheduleStep(executionId, seq);
      return;
    }
    data.updateExecution(
        executionId, x -> new Execution(x.id(), x.projectId(), x.agent(), "completed", 100, seq));
    sink.toRoom(
        room,
        "agent-complete",
        new AgentComplete(executionId, "completed", "a 3-act draft, " + seq + " steps", seq));
    sink.toAll(
        "notification",
        new Notification(data.newId("n"), "success", "Execution " + executionId + " completed"));
  }

  /** The number of steps of every execution. */
  static int steps() {
    return SCRIPT.size();
  }
}
