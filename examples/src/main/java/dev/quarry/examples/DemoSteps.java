package dev.quarry.examples;

import static dev.quarry.examples.DemoText.describe;
import static dev.quarry.examples.DemoText.get;
import static dev.quarry.examples.DemoText.ms;
import static dev.quarry.examples.DemoText.reason;
import static dev.quarry.examples.DemoText.render;
import static dev.quarry.examples.DemoText.size;

import dev.quarry.Inspector;
import dev.quarry.Notifications;
import dev.quarry.Progress;
import dev.quarry.ProgressStream;
import dev.quarry.Quarry;
import dev.quarry.TopicBinding;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.examples.backend.StudioBackend;
import dev.quarry.examples.state.Layout;
import dev.quarry.examples.state.Orchestrator;
import dev.quarry.examples.state.UiState;
import dev.quarry.examples.studio.AgentEvent;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.Execution;
import dev.quarry.examples.studio.NewEpisode;
import dev.quarry.examples.studio.NewExecution;
import dev.quarry.examples.studio.Notification;
import dev.quarry.examples.studio.Page;
import dev.quarry.examples.studio.Project;
import dev.quarry.examples.studio.RenameEpisode;
import dev.quarry.examples.studio.TaskProgress;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationState;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The demo's steps, in order; each narrates what it does and waits for what it shows. */
final class DemoSteps {
  private static final Duration WAIT = DemoText.WAIT;
  private static final String PROJECT = "p1";

  private final Quarry quarry;
  private final Optional<StudioBackend> backend;
  private final Path dataDir;
  private final Narrator n;
  private final StudioClient studio;
  private final List<AutoCloseable> handles = new ArrayList<>();
  private final Store<Layout> layout;
  private final Store<Orchestrator> orchestrator;
  private final Store<UiState> ui;
  private final Waiter<ConnectionEvent> connection = new Waiter<>("the realtime connection");
  private @Nullable Waiter<Page<Episode>> episodesView;

  DemoSteps(Quarry quarry, Optional<StudioBackend> backend, Path dataDir, Narrator n) {
    this.quarry = quarry;
    this.backend = backend;
    this.dataDir = dataDir;
    this.n = n;
    this.studio = new StudioClient(quarry);
    // persisted like Zustand's persist middleware: stores/layout.json in the data directory
    this.layout = quarry.store("layout", Layout.INITIAL, Layout.class);
    this.orchestrator = quarry.store("orchestrator", Orchestrator.INITIAL);
    this.ui = quarry.store("ui", UiState.INITIAL);
  }

  void run() {
    try {
      start();
      loadProjectsAndEpisodes();
      createEpisodeOptimistically();
      createRefused();
      followExecution();
      dropRealtime();
      offlineChange();
      inspector();
      DraftStep.run(8, quarry, backend, n);
    } finally {
      for (AutoCloseable h : handles) {
        try {
          h.close();
        } catch (Exception e) {
          n.from("close", String.valueOf(e));
        }
      }
    }
  }

  // ------------------------------------------------------------------ 0. wiring

  private void start() {
    handles.add(layout.select(l -> l, l -> n.from("store layout", String.valueOf(l))));
    handles.add(
        orchestrator.select(
            o -> o.mode() + (o.executionId().isEmpty() ? "" : " " + o.executionId()),
            mode -> n.from("store orchestrator", "mode: " + mode)));
    handles.add(
        ui.select(
            UiState::toasts,
            t -> {
              if (!t.isEmpty()) {
                n.from("store ui", "toast: " + t.get(t.size() - 1));
              }
            }));
    handles.add(ui.select(UiState::offline, off -> n.from("store ui", "offline banner: " + off)));
    Notifications<Notification> inbox =
        quarry.notifications("notification", Notification.class, 20);
    handles.add(inbox);
    AtomicReference<Long> lastSeen = new AtomicReference<>(0L);
    handles.add(
        inbox.subscribe(
            feed -> {
              for (Notifications.Item<Notification> item : feed.items()) {
                if (item.id() > lastSeen.get()) {
                  lastSeen.set(item.id());
                  n.from(
                      "notification",
                      item.payload().level()
                          + ": "
                          + item.payload().message()
                          + " (unread: "
                          + feed.unreadCount()
                          + ")");
                }
              }
            }));
    if (quarry.hasRealtime()) {
      handles.add(
          quarry
              .realtime()
              .onConnectionEvent(
                  e -> {
                    describe(e).ifPresent(text -> n.from("realtime", text));
                    connection.accept(e);
                  }));
      quarry.realtime().connect(); // does nothing if the facade already started it
      // generous: a cold JVM loads the whole WebSocket stack first, and an attempt that gets no
      // answer is abandoned after the connect timeout and retried
      if (quarry.realtime().state() != ConnectionState.CONNECTED) {
        connection.until(
            e -> e instanceof ConnectionEvent.Connected,
            Duration.ofSeconds(30),
            "the first connect");
      }
    }
  }

  // ------------------------------------------------------------------ 1. queries

  private void loadProjectsAndEpisodes() {
    n.step(1, "Loading projects and episodes (cache, deduplication)");
    long t0 = System.nanoTime();
    Page<Project> projects = get(quarry.fetch(studio.projects()), "the projects");
    n.say(
        "projects: "
            + projects.docs().stream().map(Project::title).toList()
            + " in "
            + ms(t0)
            + " ms"
            + serverCount("GET /api/projects"));
    layout.update(l -> l.withProject(PROJECT));

    QueryOptions<Page<Episode>> episodes = studio.episodes(PROJECT);
    QueryKey key = episodes.key();
    t0 = System.nanoTime();
    List<CompletableFuture<Page<Episode>>> three =
        List.of(quarry.fetch(episodes), quarry.fetch(episodes), quarry.fetch(episodes));
    get(CompletableFuture.allOf(three.toArray(new CompletableFuture<?>[0])), "the episodes");
    n.say(
        "3 concurrent fetches of "
            + key
            + " -> "
            + studio.fetchCount(key)
            + " request (deduplicated) in "
            + ms(t0)
            + " ms"
            + serverCount("GET /api/projects/" + PROJECT + "/episodes"));
    t0 = System.nanoTime();
    Page<Episode> again = get(quarry.fetch(episodes), "the cached episodes");
    n.say(
        "4th fetch -> cache hit in "
            + ms(t0)
            + " ms, still "
            + studio.fetchCount(key)
            + " request (fresh for staleTime = 5 min)");
    n.say("episodes: " + render(again));
  }

  // ------------------------------------------------------------------ 2. optimistic create

  private void createEpisodeOptimistically() {
    n.step(2, "Creating an episode optimistically");
    Waiter<Page<Episode>> view = observeEpisodes();
    MutationObserver<NewEpisode, Episode, Void> create = quarry.mutation(studio.createEpisode());
    long t0 = System.nanoTime();
    CompletableFuture<Episode> created = create.mutate(new NewEpisode(PROJECT, "Pilot"));
    view.until(p -> p.docs().stream().anyMatch(Episode::isDraft), WAIT, "the draft");
    n.say("the draft is on screen after " + ms(t0) + " ms, before the server answered");
    Episode e = get(created, "the create");
    n.say("confirmed by the server after " + ms(t0) + " ms: " + e.id() + " \"" + e.title() + "\"");
    view.until(p -> p.docs().stream().anyMatch(x -> x.id().equals(e.id())), WAIT, "the refetch");
    n.say("the list was invalidated on settle and refetched: the draft became " + e.id());
  }

  /**
   * The episodes view: one observer for the whole demo, printing the list when it changes. Each
   * call forgets what the view showed before, so that a step waits only for what comes next.
   */
  private Waiter<Page<Episode>> observeEpisodes() {
    Waiter<Page<Episode>> existing = episodesView;
    if (existing != null) {
      existing.clear();
      return existing;
    }
    Waiter<Page<Episode>> view = new Waiter<>("the episodes view");
    episodesView = view;
    AtomicReference<String> last = new AtomicReference<>("");
    QueryObserver<Page<Episode>> observer =
        quarry.observe(
            studio.episodes(PROJECT),
            r ->
                r.data()
                    .ifPresent(
                        page -> {
                          String text = render(page);
                          if (!text.equals(last.getAndSet(text))) {
                            n.from("view", "episodes: " + text);
                          }
                          view.accept(page);
                        }));
    handles.add(observer);
    return view;
  }

  // ------------------------------------------------------------------ 3. refused create

  private void createRefused() {
    n.step(3, "A create the server refuses (rolled back)");
    backend.ifPresent(
        b -> {
          b.faults().refuseCreates("(?i)untitled", 422, "an episode needs a real title");
          n.say("backend rule: creates titled like \"Untitled\" are refused with 422");
        });
    // Another backend has no refusal rule: a blank title is what servers usually refuse (400).
    String title = backend.isPresent() ? "Untitled" : " ";
    if (backend.isEmpty()) {
      n.say("creating an episode with a blank title, which the server should refuse");
    }
    Waiter<Page<Episode>> view = observeEpisodes();
    MutationObserver<NewEpisode, Episode, Void> create = quarry.mutation(studio.createEpisode());
    CompletableFuture<Episode> refused = create.mutate(new NewEpisode(PROJECT, title));
    view.until(p -> p.docs().stream().anyMatch(Episode::isDraft), WAIT, "the draft");
    n.say("the draft is shown at once ...");
    try {
      Episode e = refused.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      n.say("... but this server accepted it as " + e.id() + " (it has no refusal rule)");
      return;
    } catch (ExecutionException e) {
      String reason = reason(e.getCause());
      n.say("... the server refused it: " + reason);
      ui.update(u -> u.withToast("Could not create \"" + title + "\": " + reason));
    } catch (TimeoutException e) {
      throw new DemoException(
          "the refused create did not settle within " + WAIT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoException("interrupted");
    }
    view.until(p -> p.docs().stream().noneMatch(Episode::isDraft), WAIT, "the rollback");
    n.say(
        "rolled back: the draft is gone, the list is the server's again; mutation state "
            + create.state().status());
  }

  // ------------------------------------------------------------------ 4. live execution

  private void followExecution() {
    n.step(4, "Starting an agent execution and following it live");
    if (!quarry.hasRealtime()) {
      n.say("skipped: no --ws-url, no realtime connection");
      return;
    }
    Execution x =
        get(
            studio.startExecution(new NewExecution(PROJECT, "script-writer", "outline episode 4")),
            "the execution");
    n.say("started execution " + x.id() + " (" + x.agent() + "); subscribing to its room");
    orchestrator.update(o -> o.running(x.id()));
    layout.update(l -> l.withView("execution"));
    Live live = live(x.id());
    ProgressStream progress = quarry.progress(live.topic(), "task-progress");
    handles.add(progress);
    Waiter<Progress> steps = new Waiter<>("the progress of " + x.id());
    progress.listen(
        p -> {
          n.progress(p);
          steps.accept(p);
        });
    handles.add(
        quarry
            .realtime()
            .on(
                "agent-event",
                AgentEvent.class,
                ev -> {
                  if (ev.executionId().equals(x.id()) && ev.type().equals("output")) {
                    orchestrator.update(o -> o.withMessage(ev.message()));
                  }
                }));
    Progress last = steps.until(Progress::isFinished, Duration.ofSeconds(30), "the last step");
    int total = live.awaitDone();
    List<AgentEvent> events = live.events().until(l -> l.size() >= total, WAIT, "all agent events");
    n.say(
        "finished: "
            + last.message()
            + "; the events query holds "
            + events.size()
            + " agent events, appended live from agent-event");
    orchestrator.update(Orchestrator::reviewing);
    n.say("orchestrator messages: " + orchestrator.get().messages());
    live.close();
    progress.close();
    n.say(
        "closed the execution's views: the topic is subscribed="
            + live.binding().isSubscribed()
            + " (a live query holds its topic only while observed)");
  }

  /** What the demo follows of one execution. */
  private record Live(
      Topic topic,
      Waiter<List<AgentEvent>> events,
      Waiter<Execution> execution,
      Set<Integer> liveSeqs,
      TopicBinding binding,
      List<AutoCloseable> parts) {
    /** Waits until the execution query says it is done; returns its event count. */
    int awaitDone() {
      return execution.until(Execution::isDone, Duration.ofSeconds(30), "completion").events();
    }

    /** Closes the views, the binding and the subscription of this execution. */
    void close() {
      for (AutoCloseable part : parts) {
        try {
          part.close();
        } catch (Exception e) {
          throw new DemoException("closing " + part + " failed: " + e, e);
        }
      }
    }
  }

  /**
   * Binds the execution's topic to its queries (events appended, progress applied, the execution
   * invalidated when complete) and observes them, which subscribes the topic (a live query).
   */
  private Live live(String executionId) {
    Topic topic = Topic.of("execution", "executionId", executionId);
    List<AutoCloseable> parts = new ArrayList<>();
    QueryKey eventsKey = StudioClient.eventsKey(executionId);
    QueryKey executionKey = StudioClient.executionKey(executionId);
    TopicBinding binding =
        quarry
            .bind(topic)
            .append("agent-event", AgentEvent.class, eventsKey)
            .<TaskProgress, Execution>update(
                "task-progress", TaskProgress.class, executionKey, Execution::withProgress)
            .<AgentEvent, Execution>update(
                "agent-event", AgentEvent.class, executionKey, Execution::withEvent)
            .invalidate("agent-complete", executionKey);
    parts.add(binding);
    // Loaded before the topic is subscribed (the agent starts when watched), so that every event
    // is appended to a list that is already in the cache.
    get(quarry.fetch(studio.events(executionId)), "the events of " + executionId);
    Waiter<List<AgentEvent>> events = new Waiter<>("the events of " + executionId);
    QueryObserver<List<AgentEvent>> ev =
        quarry.observe(studio.events(executionId), r -> r.data().ifPresent(events));
    parts.add(ev);
    Waiter<Execution> execution = new Waiter<>("execution " + executionId);
    QueryObserver<Execution> ex =
        quarry.observe(studio.execution(executionId), r -> r.data().ifPresent(execution));
    parts.add(ex);
    Set<Integer> liveSeqs = new ConcurrentSkipListSet<>();
    TopicSubscription sub = quarry.realtime().subscribe(topic);
    parts.add(sub);
    sub.on("agent-event", AgentEvent.class, e -> liveSeqs.add(e.seq()));
    sub.listen(
        e -> {
          if (e instanceof TopicEvent.Gap g) {
            n.from(
                "realtime",
                "gap on topic "
                    + g.topic().name()
                    + " "
                    + g.topic().params()
                    + ": "
                    + g.reason()
                    + " -> its queries are invalidated and refetched");
          }
        });
    get(sub.confirmed(), "the subscribe ack");
    handles.addAll(parts);
    return new Live(topic, events, execution, liveSeqs, binding, parts);
  }

  // ------------------------------------------------------------------ 5. dropped connection

  private void dropRealtime() {
    n.step(5, "The server drops the realtime connection");
    if (!quarry.hasRealtime() || backend.isEmpty()) {
      n.say("skipped: dropping connections needs the embedded backend");
      return;
    }
    StudioBackend b = backend.get();
    Execution x =
        get(
            studio.startExecution(
                new NewExecution(PROJECT, "continuity-checker", "check episode 2")),
            "the execution");
    n.say("started execution " + x.id() + "; the connection will be cut while it runs");
    Live live = live(x.id());
    Waiter<AgentEvent> arriving = new Waiter<>("agent events of " + x.id());
    TopicSubscription watch = quarry.realtime().subscribe(live.topic());
    handles.add(watch);
    watch.on("agent-event", AgentEvent.class, arriving::accept);
    arriving.until(e -> e.seq() >= 3, WAIT, "the third agent event");
    n.say(
        "the backend drops "
            + b.dropRealtimeConnections()
            + " realtime connection(s) at the TCP level, mid-execution");
    int total = live.awaitDone();
    List<AgentEvent> events =
        live.events().until(l -> l.size() >= total, WAIT, "all agent events after the gap");
    int missed = total - live.liveSeqs().size();
    n.say(
        "received live: "
            + live.liveSeqs().size()
            + " of "
            + total
            + " agent events; "
            + missed
            + " were emitted while the client was away");
    List<Integer> seqs = events.stream().map(AgentEvent::seq).toList();
    n.say(
        "the refetch after the gap filled them in: the events query holds "
            + events.size()
            + " events "
            + seqs);
    quarry
        .inspector()
        .snapshot()
        .realtime()
        .flatMap(Inspector.RealtimeRow::lastRecovery)
        .ifPresent(
            r ->
                n.say(
                    "inspector: last reconnect recovered="
                        + r.recovered()
                        + ", session "
                        + r.sessionId()));
  }

  // ------------------------------------------------------------------ 6. offline

  private void offlineChange() {
    n.step(6, "Going offline and queueing a change");
    Waiter<Page<Episode>> view = observeEpisodes();
    quarry.connectivity().setOnline(false);
    ui.update(u -> u.withOffline(true));
    n.say("connectivity: offline");
    MutationObserver<RenameEpisode, Episode, Optional<Page<Episode>>> rename =
        quarry.mutation(studio.renameEpisode());
    Waiter<MutationState<RenameEpisode, Episode, Optional<Page<Episode>>>> state =
        new Waiter<>("the rename");
    handles.add(rename.subscribe(state));
    String title = "Fog Horn (director's cut)";
    int patchesBefore = backend.map(b -> b.requestCount("PATCH /api/episodes/ep2")).orElse(0);
    CompletableFuture<Episode> renamed = rename.mutate(new RenameEpisode(PROJECT, "ep2", title));
    view.until(p -> p.docs().stream().anyMatch(e -> e.title().equals(title)), WAIT, "the rename");
    state.until(MutationState::isPaused, WAIT, "the paused mutation");
    Path outbox = dataDir.resolve("outbox.mv");
    n.say(
        "renamed on screen at once; the mutation is paused and kept in the outbox ("
            + outbox.getFileName()
            + ", "
            + size(outbox)
            + ")"
            + backend
                .map(
                    b ->
                        "; PATCH requests so far: "
                            + (b.requestCount("PATCH /api/episodes/ep2") - patchesBefore))
                .orElse(""));
    quarry.inspector().snapshot().mutations().stream()
        .filter(m -> m.paused())
        .forEach(
            m ->
                n.say(
                    "inspector: mutation "
                        + m.id()
                        + " "
                        + m.key().orElse("")
                        + " "
                        + m.status()
                        + " paused="
                        + m.paused()));
    quarry.connectivity().setOnline(true);
    ui.update(u -> u.withOffline(false));
    n.say("connectivity: online again");
    Episode e = get(renamed, "the queued rename");
    n.say(
        "sent once when back online: the server says \""
            + e.title()
            + "\""
            + backend
                .map(
                    b ->
                        "; PATCH requests: "
                            + (b.requestCount("PATCH /api/episodes/ep2") - patchesBefore))
                .orElse(""));
  }

  // ------------------------------------------------------------------ 7. inspector

  private void inspector() {
    n.step(7, "The inspector");
    n.block(quarry.inspector().table());
    backend.ifPresent(
        b -> {
          n.say("requests the backend served, per path:");
          b.requestCounts()
              .forEach((path, count) -> n.say(String.format("  %3d  %s", count, path)));
        });
    Path saved = dataDir.resolve("stores").resolve("layout.json");
    try {
      if (Files.exists(saved)) {
        n.say(
            "the layout store is persisted in stores/layout.json: "
                + Files.readString(saved).strip());
      }
    } catch (java.io.IOException e) {
      n.say("the layout store's file cannot be read: " + e);
    }
    n.say("done in " + String.format(java.util.Locale.ROOT, "%.1f", n.seconds()) + " s");
  }

  // ------------------------------------------------------------------ helpers

  private String serverCount(String methodAndPath) {
    return backend.map(b -> " (backend saw " + b.requestCount(methodAndPath) + ")").orElse("");
  }
}
