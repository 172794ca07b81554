package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.TypedKey;
import dev.quarry.core.http.JsonType;
import dev.quarry.optimistic.MutationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's quickstart and mutation example, in the shape the README shows them: a typed key
 * (TanStack's {@code queryOptions()}) gives the facade's query, read, write, invalidation and
 * optimistic calls their type, and a mutation builder infers its types from the variables' class
 * and its function. No call here has a type argument; the assertions check the values and classes
 * that arrive over real HTTP (mockwebserver3). A call with the wrong type does not compile, so it
 * is documented on {@link TypedKey} instead of tested.
 */
class TypedKeysTest {
  public record Todo(String id, String title) {}

  static final TypedKey<List<Todo>> TODOS =
      TypedKey.of(JsonType.of(new TypeReference<>() {}), "todos");
  static final ObjectMapper JSON = new ObjectMapper();

  /** GET/POST /api/todos, PUT /api/todos/{id} (422 for a blank title). */
  final class TodoApi extends Dispatcher {
    final List<Todo> todos = new CopyOnWriteArrayList<>(List.of(new Todo("t1", "Buy milk")));
    final List<String> requests = new CopyOnWriteArrayList<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      try {
        String call = request.getMethod() + " " + request.getTarget();
        requests.add(call);
        if (call.equals("GET /api/todos")) {
          return json(200, todos);
        }
        if (call.equals("POST /api/todos")) {
          Todo in = JSON.readValue(request.getBody().utf8(), Todo.class);
          Todo saved = new Todo("t" + (todos.size() + 1), in.title());
          todos.add(saved);
          return json(200, saved);
        }
        if (request.getMethod().equals("PUT")) {
          Todo changed = JSON.readValue(request.getBody().utf8(), Todo.class);
          if (changed.title().isBlank()) {
            return json(422, Map.of("error", "a todo needs a title"));
          }
          todos.replaceAll(t -> t.id().equals(changed.id()) ? changed : t);
          return json(200, changed);
        }
        return new MockResponse.Builder().code(404).build();
      } catch (Exception e) {
        return new MockResponse.Builder().code(500).body(String.valueOf(e)).build();
      }
    }

    MockResponse json(int code, Object body) throws Exception {
      return new MockResponse.Builder()
          .code(code)
          .addHeader("Content-Type", "application/json")
          .body(JSON.writeValueAsString(body))
          .build();
    }
  }

  final TodoApi api = new TodoApi();
  final MockWebServer server = new MockWebServer();
  Quarry quarry;

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(api);
    server.start();
    quarry = Quarry.builder().baseUrl(server.url("/api/").toString()).build();
  }

  @AfterEach
  void stop() {
    quarry.close();
    server.close();
  }

  static List<Todo> plus(List<Todo> list, Todo todo) {
    List<Todo> copy = new ArrayList<>(list);
    copy.add(todo);
    return copy;
  }

  static List<Todo> replace(List<Todo> list, Todo changed) {
    return list.stream().map(t -> t.id().equals(changed.id()) ? changed : t).toList();
  }

  @Test
  void quickstart_fetchObserveAddOptimisticallyInvalidate_withoutATypeArgument() throws Exception {
    var todos = quarry.query(TODOS, http -> http.get("todos", TODOS.type()));
    List<Todo> fetched = quarry.fetch(todos).get(10, TimeUnit.SECONDS);
    List<List<Todo>> shown = new CopyOnWriteArrayList<>();

    try (var view = quarry.observe(todos, r -> r.data().ifPresent(shown::add))) {
      var add =
          quarry.mutation(
              MutationOptions.builder(
                      Todo.class, (todo, ctx) -> ctx.http().post("todos", todo, Todo.class))
                  .optimistic(TODOS, (list, todo) -> list.map(l -> plus(l, todo)))
                  .build());
      Todo saved = add.mutate(new Todo("draft", "Write docs")).get(10, TimeUnit.SECONDS);
      quarry.invalidate(TODOS).get(10, TimeUnit.SECONDS);
      List<Todo> cached = quarry.getQueryData(TODOS).orElseThrow();

      assertThat(fetched).containsExactly(new Todo("t1", "Buy milk"));
      assertThat(saved).isEqualTo(new Todo("t2", "Write docs"));
      assertThat(shown)
          .contains(List.of(new Todo("t1", "Buy milk"), new Todo("draft", "Write docs")));
      assertThat(cached).containsExactly(new Todo("t1", "Buy milk"), new Todo("t2", "Write docs"));
      assertThat(quarry.getQueryData(todos)).contains(cached);
      assertThat(api.requests).containsSubsequence("POST /api/todos", "GET /api/todos");
    }
  }

  @Test
  void mutationExample_refusedRenameRollsBack_acceptedOneStays() throws Exception {
    quarry
        .fetch(quarry.query(TODOS, http -> http.get("todos", TODOS.type())))
        .get(10, TimeUnit.SECONDS);
    List<String> refusals = new CopyOnWriteArrayList<>();
    var rename =
        quarry.mutation(
            MutationOptions.builder(
                    Todo.class,
                    (todo, ctx) -> ctx.http().put("todos/" + todo.id(), todo, Todo.class))
                .optimistic(TODOS, (list, todo) -> list.map(l -> replace(l, todo)))
                .retry(RetryPolicy.times(2))
                .onError((error, todo, ctx) -> refusals.add(todo.id()))
                .build());

    assertThatThrownBy(() -> rename.mutate(new Todo("t1", " ")).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("422");
    List<Todo> afterRefusal = quarry.getQueryData(TODOS).orElseThrow();
    rename.mutate(new Todo("t1", "Buy oat milk")).get(10, TimeUnit.SECONDS);

    assertThat(afterRefusal).containsExactly(new Todo("t1", "Buy milk"));
    assertThat(refusals).containsExactly("t1");
    assertThat(quarry.getQueryData(TODOS).orElseThrow())
        .containsExactly(new Todo("t1", "Buy oat milk"));
  }

  @Test
  void setAndUpdateQueryData_typedKey_inferTheType() {
    Optional<List<Todo>> set = quarry.setQueryData(TODOS, List.of(new Todo("t1", "Buy milk")));
    Optional<List<Todo>> updated =
        quarry.updateQueryData(TODOS, list -> plus(list, new Todo("t2", "Pay")));

    assertThat(set.orElseThrow()).extracting(Todo::id).containsExactly("t1");
    assertThat(updated.orElseThrow()).extracting(Todo::id).containsExactly("t1", "t2");
    assertThat(quarry.getQueryData(TODOS).orElseThrow())
        .extracting(Todo::title)
        .containsExactly("Buy milk", "Pay");
  }

  @Test
  void getQueryData_anotherTypeStoredUnderThePlainKey_failsNamingTheKeyAndBothTypes() {
    quarry.setQueryData(QueryKey.of("todos"), Map.of("t1", "Buy milk"));

    assertThatThrownBy(() -> quarry.getQueryData(TODOS))
        .isInstanceOf(ClassCastException.class)
        .hasMessageContaining("[\"todos\"]")
        .hasMessageContaining("java.util.List<dev.quarry.TypedKeysTest$Todo>")
        .hasMessageContaining("Map");
    assertThatThrownBy(() -> quarry.updateQueryData(TODOS, list -> list))
        .isInstanceOf(ClassCastException.class)
        .hasMessageContaining("[\"todos\"]");
  }
}
