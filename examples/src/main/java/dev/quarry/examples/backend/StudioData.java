package dev.quarry.examples.backend;

import dev.quarry.examples.studio.AgentEvent;
import dev.quarry.examples.studio.Conversation;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.Execution;
import dev.quarry.examples.studio.Page;
import dev.quarry.examples.studio.Project;
import dev.quarry.examples.studio.Scene;
import dev.quarry.examples.studio.StoryCharacter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The backend's data, in memory, seeded with two projects. Every method is synchronized on this
 * object: the data set is tiny and requests are few.
 */
final class StudioData {
  private final Map<String, Project> projects = new LinkedHashMap<>();
  private final Map<String, Episode> episodes = new LinkedHashMap<>();
  private final Map<String, StoryCharacter> characters = new LinkedHashMap<>();
  private final Map<String, Scene> scenes = new LinkedHashMap<>();
  private final Map<String, Conversation> conversations = new LinkedHashMap<>();
  private final Map<String, Execution> executions = new LinkedHashMap<>();
  private final Map<String, List<AgentEvent>> events = new LinkedHashMap<>();
  private int nextId = 100;

  StudioData() {
    projects.put("p1", new Project("p1", "Harbor Lights", "A lighthouse keeper's family saga"));
    projects.put("p2", new Project("p2", "Night Shift", "Paramedics in a city that never sleeps"));
    episodes.put("ep1", new Episode("ep1", "p1", 1, "The Keeper", "final"));
    episodes.put("ep2", new Episode("ep2", "p1", 2, "Fog Horn", "review"));
    episodes.put("ep3", new Episode("ep3", "p1", 3, "Low Tide", "writing"));
    episodes.put("ep4", new Episode("ep4", "p2", 1, "First Call", "draft"));
    characters.put("c1", new StoryCharacter("c1", "p1", "Mara Quill", "the keeper"));
    characters.put("c2", new StoryCharacter("c2", "p1", "Tomas Quill", "her brother"));
    characters.put("c3", new StoryCharacter("c3", "p2", "Dev Ortiz", "paramedic"));
    scenes.put("s1", new Scene("s1", "ep1", 1, "EXT. LIGHTHOUSE - NIGHT"));
    scenes.put("s2", new Scene("s2", "ep1", 2, "INT. LAMP ROOM - CONTINUOUS"));
    scenes.put("s3", new Scene("s3", "ep2", 1, "EXT. HARBOR - DAWN"));
    conversations.put(
        "cv1",
        new Conversation(
            "cv1", "p1", "Season arc", List.of("Where does Mara's arc end?", "On the rocks.")));
  }

  synchronized String newId(String prefix) {
    return prefix + nextId++;
  }

  synchronized Page<Project> projects(int page, int limit) {
    return page(new ArrayList<>(projects.values()), page, limit);
  }

  synchronized Optional<Project> project(String id) {
    return Optional.ofNullable(projects.get(id));
  }

  synchronized Project addProject(String title, String description) {
    Project p = new Project(newId("p"), title, description);
    projects.put(p.id(), p);
    return p;
  }

  synchronized Page<Episode> episodes(String projectId, int page, int limit) {
    return page(filter(episodes, e -> e.projectId().equals(projectId)), page, limit);
  }

  synchronized Optional<Episode> episode(String id) {
    return Optional.ofNullable(episodes.get(id));
  }

  synchronized Episode addEpisode(String projectId, String title) {
    int number = filter(episodes, e -> e.projectId().equals(projectId)).size() + 1;
    Episode e = new Episode(newId("ep"), projectId, number, title, "draft");
    episodes.put(e.id(), e);
    return e;
  }

  synchronized Optional<Episode> updateEpisode(String id, UnaryOperator<Episode> fn) {
    Episode e = episodes.computeIfPresent(id, (k, v) -> fn.apply(v));
    return Optional.ofNullable(e);
  }

  synchronized Page<StoryCharacter> characters(String projectId, int page, int limit) {
    return page(filter(characters, c -> c.projectId().equals(projectId)), page, limit);
  }

  synchronized StoryCharacter addCharacter(String projectId, String name, String role) {
    StoryCharacter c = new StoryCharacter(newId("c"), projectId, name, role);
    characters.put(c.id(), c);
    return c;
  }

  synchronized Page<Scene> scenes(String episodeId, int page, int limit) {
    return page(filter(scenes, s -> s.episodeId().equals(episodeId)), page, limit);
  }

  synchronized Scene addScene(String episodeId, String title) {
    int order = filter(scenes, s -> s.episodeId().equals(episodeId)).size() + 1;
    Scene s = new Scene(newId("s"), episodeId, order, title);
    scenes.put(s.id(), s);
    return s;
  }

  synchronized Page<Conversation> conversations(String projectId, int page, int limit) {
    return page(filter(conversations, c -> c.projectId().equals(projectId)), page, limit);
  }

  synchronized Conversation addConversation(String projectId, String title) {
    Conversation c = new Conversation(newId("cv"), projectId, title, List.of());
    conversations.put(c.id(), c);
    return c;
  }

  synchronized Page<Execution> executions(String projectId, int page, int limit) {
    return page(filter(executions, x -> x.projectId().equals(projectId)), page, limit);
  }

  synchronized Optional<Execution> execution(String id) {
    return Optional.ofNullable(executions.get(id));
  }

  synchronized Execution addExecution(String projectId, String agent) {
    Execution x = new Execution(newId("x"), projectId, agent, "queued", 0, 0);
    executions.put(x.id(), x);
    return x;
  }

  synchronized Optional<Execution> updateExecution(String id, UnaryOperator<Execution> fn) {
    return Optional.ofNullable(executions.computeIfPresent(id, (k, v) -> fn.apply(v)));
  }

  synchronized void addEvent(AgentEvent event) {
    events.computeIfAbsent(event.executionId(), k -> new ArrayList<>()).add(event);
  }

  synchronized List<AgentEvent> events(String executionId) {
    return List.copyOf(events.getOrDefault(executionId, List.of()));
  }

  private static <T> List<T> filter(Map<String, T> map, Predicate<T> keep) {
    return map.values().stream().filter(keep).toList();
  }

  private static <T> Page<T> page(List<T> all, int page, int limit) {
    int from = Math.min(all.size(), (page - 1) * limit);
    int to = Math.min(all.size(), from + limit);
    return new Page<>(all.subList(from, to), all.size(), page, limit, to < all.size());
  }
}
