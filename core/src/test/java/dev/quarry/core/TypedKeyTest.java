package dev.quarry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.quarry.core.http.JsonType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A typed key: a query key with the type of its data. That a wrong type does not compile (a {@code
 * TypedKey<List<Todo>>} where a {@code Todo} is expected) cannot be a test; these tests show what
 * is inferred and what is checked at run time.
 */
class TypedKeyTest {
  record Todo(String id, String title) {}

  static final JsonType<List<Todo>> TODO_LIST = JsonType.of(new TypeReference<>() {});
  static final TypedKey<List<Todo>> TODOS = TypedKey.of(TODO_LIST, "todos");

  @Test
  void of_partsAndType_keyIsThePlainKeyOfTheParts() {
    TypedKey<Todo> one = TypedKey.of(Todo.class, "todos", 1);

    assertThat(one.key()).isEqualTo(QueryKey.of("todos", 1L));
    assertThat(one.type()).isEqualTo(JsonType.of(Todo.class));
    assertThat(one.rawType()).isEqualTo(Todo.class);
    assertThat(TODOS.key()).isEqualTo(QueryKey.of("todos"));
    assertThat(TODOS.rawType()).isEqualTo(List.class);
    assertThat(TypedKey.of(QueryKey.of("todos"), TODO_LIST)).isEqualTo(TODOS);
    assertThat(TypedKey.of(QueryKey.of("todos", 1), Todo.class)).isEqualTo(one);
  }

  @Test
  void equality_needsTheSameKeyAndTheSameType() {
    assertThat(TypedKey.of(String.class, "a")).isEqualTo(TypedKey.of(String.class, "a"));
    assertThat(TypedKey.of(String.class, "a").hashCode())
        .isEqualTo(TypedKey.of(String.class, "a").hashCode());
    assertThat(TypedKey.of(String.class, "a")).isNotEqualTo(TypedKey.of(Integer.class, "a"));
    assertThat(TypedKey.of(String.class, "a")).isNotEqualTo(TypedKey.of(String.class, "b"));
  }

  @Test
  void cast_valueOfTheType_isReturnedTyped() {
    List<Todo> data = List.of(new Todo("t1", "Buy milk"));

    List<Todo> typed = TODOS.cast(data);

    assertThat(typed).isSameAs(data);
  }

  @Test
  void cast_valueOfAnotherType_failsNamingTheKeyAndBothTypes() {
    assertThatThrownBy(() -> TODOS.cast(Map.of("id", "t1")))
        .isInstanceOf(ClassCastException.class)
        .hasMessageContaining("[\"todos\"]")
        .hasMessageContaining("java.util.List<dev.quarry.core.TypedKeyTest$Todo>")
        .hasMessageContaining("java.util.ImmutableCollections$Map1");
  }

  @Test
  void cast_primitiveType_acceptsItsWrapper() {
    TypedKey<Integer> count = TypedKey.of(int.class, "count");

    assertThat(count.cast(3)).isEqualTo(3);
    assertThatThrownBy(() -> count.cast("3")).isInstanceOf(ClassCastException.class);
  }

  @Test
  void cast_genericArguments_areErasedSoOnlyTheRawClassIsChecked() {
    // documented: List<Todo> is checked as List; a list of strings passes the check
    List<Todo> unchecked = TODOS.cast(List.of("not a todo"));

    assertThat(unchecked).hasSize(1);
  }

  @Test
  void toString_showsKeyAndType() {
    assertThat(TypedKey.of(String.class, "a")).hasToString("[\"a\"] as java.lang.String");
  }
}
