package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.quarry.core.QueryKey;
import dev.quarry.core.TypedKey;
import dev.quarry.core.http.JsonType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Typed keys and typed options (TanStack's {@code queryOptions()}): the data type is inferred from
 * the key or the options. Every call in this class is written without a type argument; that it
 * compiles is half of each test, the assertions on values and classes are the other half. A call
 * with the wrong type (a {@code Todo} for a {@code TypedKey<List<Todo>>}) does not compile, so it
 * cannot be a test.
 */
class TypedQueryDataTest {
  record Todo(String id, String title) {}

  static final JsonType<List<Todo>> TODO_LIST = JsonType.of(new TypeReference<>() {});
  static final TypedKey<List<Todo>> TODOS = TypedKey.of(TODO_LIST, "todos");

  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static List<Todo> plus(List<Todo> list, Todo todo) {
    List<Todo> out = new ArrayList<>(list);
    out.add(todo);
    return out;
  }

  @Test
  void typedOptions_fetchThenGetQueryData_inferTheKeysType() throws Exception {
    var todos = QueryOptions.of(TODOS, ctx -> Calls.ok(List.of(new Todo("t1", "Buy milk"))));

    List<Todo> fetched = f.client.fetchQuery(todos).get();
    Optional<List<Todo>> byKey = f.client.getQueryData(TODOS);
    Optional<List<Todo>> byOptions = f.client.getQueryData(todos);

    assertThat(fetched).containsExactly(new Todo("t1", "Buy milk"));
    assertThat(byKey).containsSame(fetched);
    assertThat(byOptions).containsSame(fetched);
    assertThat(byKey.orElseThrow().get(0).title()).isEqualTo("Buy milk");
    assertThat(todos.typedKey()).contains(TODOS);
    assertThat(todos.key()).isEqualTo(QueryKey.of("todos"));
  }

  @Test
  void typedKey_addressesTheSameQueryAsItsPlainKey() {
    f.client.setQueryData(TODOS, List.of(new Todo("t1", "Buy milk")));

    assertThat(f.client.<List<Todo>>getQueryData(QueryKey.of("todos")).orElseThrow())
        .containsExactly(new Todo("t1", "Buy milk"));
  }

  @Test
  void updateQueryData_seesTheKeysTypeWithoutATypeArgument() {
    f.client.setQueryData(TODOS, List.of(new Todo("t1", "Buy milk")));

    Optional<List<Todo>> stored =
        f.client.updateQueryData(TODOS, list -> plus(list, new Todo("t2", "Pay")));

    assertThat(stored.orElseThrow()).extracting(Todo::id).containsExactly("t1", "t2");
    assertThat(f.client.getQueryData(TODOS).orElseThrow())
        .extracting(Todo::id)
        .containsExactly("t1", "t2");
  }

  @Test
  void updateQueryData_withoutData_writesAndCreatesNothing() {
    Optional<List<Todo>> stored =
        f.client.updateQueryData(TODOS, list -> plus(list, new Todo("t2", "Pay")));

    assertThat(stored).isEmpty();
    assertThat(f.client.snapshot()).isEmpty();
  }

  @Test
  void getQueryData_otherTypeUnderTheTypedKey_failsNamingTheKeyAndBothTypes() {
    f.client.setQueryData(QueryKey.of("todos"), Map.of("t1", "Buy milk"));

    assertThatThrownBy(() -> f.client.getQueryData(TODOS))
        .isInstanceOf(ClassCastException.class)
        .hasMessageContaining("[\"todos\"]")
        .hasMessageContaining("java.util.List<dev.quarry.cache.TypedQueryDataTest$Todo>")
        .hasMessageContaining("Map");
  }

  @Test
  void updateQueryData_overDataOfAnotherType_failsBeforeCallingItAndKeepsTheData() {
    f.client.setQueryData(QueryKey.of("todos"), "not a list");
    List<List<Todo>> seen = new ArrayList<>();

    assertThatThrownBy(
            () ->
                f.client.updateQueryData(
                    TODOS,
                    list -> {
                      seen.add(list);
                      return list;
                    }))
        .isInstanceOf(ClassCastException.class)
        .hasMessageContaining("[\"todos\"]")
        .hasMessageContaining("java.lang.String");
    assertThat(seen).isEmpty();
    assertThat(f.client.<String>getQueryData(QueryKey.of("todos"))).contains("not a list");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void setQueryData_rawTypedKeyWithAValueOfAnotherType_isRefusedAndStoresNothing() {
    TypedKey raw = TODOS; // only raw types get a wrong value past the compiler

    assertThatThrownBy(() -> f.client.setQueryData(raw, "a string"))
        .isInstanceOf(ClassCastException.class)
        .hasMessageContaining("[\"todos\"]");
    assertThat(f.client.snapshot()).isEmpty();
  }

  @Test
  void getQueryData_optionsWithAPlainKey_areUncheckedAndTypedByTheirFunction() throws Exception {
    var plain = QueryOptions.of(QueryKey.of("n"), ctx -> Calls.ok(42));
    f.client.fetchQuery(plain).get();

    Optional<Integer> n = f.client.getQueryData(plain);

    assertThat(plain.typedKey()).isEmpty();
    assertThat(n).contains(42);
  }

  @Test
  void newBuilder_keepsTheTypedKey_andAPlainKeyKeepsTheType() {
    var todos = QueryOptions.of(TODOS, ctx -> Calls.ok(List.<Todo>of()));

    QueryOptions<List<Todo>> copy = todos.newBuilder().build();
    QueryOptions<List<Todo>> moved = todos.newBuilder().key(QueryKey.of("todos", "done")).build();

    assertThat(copy.typedKey()).contains(TODOS);
    assertThat(moved.typedKey()).contains(TypedKey.of(QueryKey.of("todos", "done"), TODO_LIST));
  }
}
