package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.quarry.cache.QueryClient;
import dev.quarry.core.QueryKey;
import dev.quarry.core.TypedKey;
import dev.quarry.core.http.JsonType;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mutation options whose types are inferred: from the variables' class and the function, from a
 * method reference, from {@code contextFrom}'s result, and an optimistic change's data type from a
 * typed key. No call in this class has a type argument; the assertions check the values and classes
 * that arrive. A wrong type (an updater for a {@code String} on a {@code TypedKey<List<Todo>>}) is
 * a compile error, which a test cannot show.
 */
class TypedMutationOptionsTest {
  record Todo(String id, String title) {}

  record Snapshot(List<Todo> before) {}

  static final JsonType<List<Todo>> TODO_LIST = JsonType.of(new TypeReference<>() {});
  static final TypedKey<List<Todo>> TODOS = TypedKey.of(TODO_LIST, "todos");

  private final VirtualTime time = new VirtualTime();
  private final List<Throwable> handled = new CopyOnWriteArrayList<>();
  private final QueryClient queries =
      QueryClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(VirtualTime.direct())
          .errorHandler((c, e) -> handled.add(e))
          .build();
  private final MutationClient mutations =
      MutationClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(VirtualTime.direct())
          .queryClient(queries)
          .errorHandler((c, e) -> handled.add(e))
          .build();

  @AfterEach
  void close() {
    mutations.close();
    queries.close();
  }

  private static List<Todo> plus(List<Todo> list, Todo todo) {
    List<Todo> out = new ArrayList<>(list);
    out.add(todo);
    return out;
  }

  /** The server: saves a todo after 10 ms under a new id, or refuses a blank title. */
  private CompletableFuture<Todo> save(Todo todo) {
    CompletableFuture<Todo> saved = new CompletableFuture<>();
    time.schedule(
        Duration.ofMillis(10),
        () -> {
          if (todo.title().isBlank()) {
            saved.completeExceptionally(new IllegalArgumentException("blank title"));
          } else {
            saved.complete(new Todo("t" + todo.title().length(), todo.title()));
          }
        });
    return saved;
  }

  @Test
  void builder_variablesClassAndLambda_inferVariablesAndResult_andTheKeyGivesTheDataType() {
    queries.setQueryData(TODOS, List.of(new Todo("t1", "Buy milk")));
    var options =
        MutationOptions.builder(Todo.class, (todo, ctx) -> save(todo))
            .optimistic(TODOS, (list, todo) -> list.map(l -> plus(l, todo)))
            .build();
    MutationObserver<Todo, Todo, Void> add = mutations.mutation(options);

    CompletableFuture<Todo> saved = add.mutate(new Todo("draft", "Write"));
    List<Todo> shown = queries.getQueryData(TODOS).orElseThrow();
    time.advance(Duration.ofMillis(10));

    assertThat(shown).extracting(Todo::id).containsExactly("t1", "draft");
    assertThat(saved).isCompletedWithValue(new Todo("t5", "Write"));
    assertThat(options.variablesType()).contains(JsonType.of(Todo.class));
    assertThat(handled).isEmpty();
  }

  @Test
  void builder_methodReference_infersVariablesAndResult() {
    MutationOptions<Todo, Todo, Void> options = MutationOptions.builder(this::saveFn).build();

    CompletableFuture<Todo> saved = mutations.mutate(options, new Todo("x", "Pay"));
    time.advance(Duration.ofMillis(10));

    assertThat(saved).isCompletedWithValue(new Todo("t3", "Pay"));
    assertThat(options.variablesType()).isEmpty();
  }

  private CompletableFuture<Todo> saveFn(Todo todo, MutationContext context) {
    return save(todo);
  }

  @Test
  void refusedMutation_rollsBackTheTypedOptimisticChange() {
    queries.setQueryData(TODOS, List.of(new Todo("t1", "Buy milk")));
    List<String> errors = new CopyOnWriteArrayList<>();
    var add =
        mutations.mutation(
            MutationOptions.builder(Todo.class, (todo, ctx) -> save(todo))
                .optimistic(TODOS, (list, todo) -> list.map(l -> plus(l, todo)))
                .onError(
                    (error, todo, context) -> errors.add(todo.id() + ": " + error.getMessage()))
                .build());

    CompletableFuture<Todo> refused = add.mutate(new Todo("draft", " "));
    time.advance(Duration.ofMillis(10));

    assertThat(refused).isCompletedExceptionally();
    assertThat(queries.getQueryData(TODOS).orElseThrow())
        .extracting(Todo::id)
        .containsExactly("t1");
    assertThat(errors).containsExactly("draft: blank title");
  }

  @Test
  void optimistic_keyFromTheVariablesAndADataType_infersTheDataType() {
    QueryKey listOfP1 = QueryKey.of("todos", "p1");
    queries.setQueryData(listOfP1, List.of(new Todo("t1", "Buy milk")));
    var add =
        mutations.mutation(
            MutationOptions.builder(Todo.class, (todo, ctx) -> save(todo))
                .optimistic(
                    todo -> QueryKey.of("todos", "p1"),
                    TODO_LIST,
                    (list, todo) -> list.map(l -> plus(l, todo)))
                .optimistic(
                    todo -> QueryKey.of("count"), Integer.class, (n, todo) -> n.map(c -> c + 1))
                .build());
    queries.setQueryData(QueryKey.of("count"), 1);

    add.mutate(new Todo("draft", "Write"));

    assertThat(queries.<List<Todo>>getQueryData(listOfP1).orElseThrow())
        .extracting(Todo::id)
        .containsExactly("t1", "draft");
    assertThat(queries.getQueryData(TypedKey.of(Integer.class, "count"))).contains(2);
  }

  @Test
  void contextFrom_makesOnMutatesResultTheContextType() {
    List<Todo> before = List.of(new Todo("t1", "Buy milk"));
    queries.setQueryData(TODOS, before);
    List<Snapshot> restored = new CopyOnWriteArrayList<>();
    var options =
        MutationOptions.builder(Todo.class, (todo, ctx) -> save(todo))
            .contextFrom((todo, ctx) -> new Snapshot(queries.getQueryData(TODOS).orElseThrow()))
            .onError((error, todo, snapshot) -> snapshot.ifPresent(restored::add))
            .build();
    MutationObserver<Todo, Todo, Snapshot> handle = mutations.mutation(options);

    handle.mutate(new Todo("draft", " "));
    time.advance(Duration.ofMillis(10));

    assertThat(restored).containsExactly(new Snapshot(before));
  }

  @Test
  void contextFrom_afterACallbackThatTakesTheContext_isRefusedNamingTheOrder() {
    var builder =
        MutationOptions.builder(Todo.class, (todo, ctx) -> save(todo))
            .onSuccess((saved, todo, context) -> {});

    assertThatThrownBy(() -> builder.contextFrom((todo, ctx) -> "snapshot"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("contextFrom must come before onSuccess, onError and onSettled");
  }

  @Test
  void optimistic_dataOfAnotherTypeUnderTheTypedKey_isReportedNamingTheKeyAndLeftAsItWas() {
    queries.setQueryData(QueryKey.of("todos"), "not a list");
    List<Optional<List<Todo>>> seen = new CopyOnWriteArrayList<>();
    var add =
        mutations.mutation(
            MutationOptions.builder(Todo.class, (todo, ctx) -> save(todo))
                .optimistic(
                    TODOS,
                    (list, todo) -> {
                      seen.add(list);
                      return list;
                    })
                .build());

    add.mutate(new Todo("draft", "Write"));

    assertThat(seen).isEmpty();
    assertThat(queries.<String>getQueryData(QueryKey.of("todos"))).contains("not a list");
    assertThat(handled)
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOf(ClassCastException.class)
                    .hasMessageContaining("[\"todos\"]")
                    .hasMessageContaining("java.lang.String")
                    .hasMessageContaining("java.util.List<"));
  }
}
