package dev.quarry.core;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.ClassUtil;
import dev.quarry.core.http.JsonType;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A {@link QueryKey} that carries the type of the data cached under it, as TanStack Query's {@code
 * queryOptions()} tags a key with its data type. The typed methods that take one ({@code
 * getQueryData}, {@code setQueryData}, {@code updateQueryData}, {@code invalidate}, a mutation's
 * {@code optimistic} change, {@code QueryOptions.of}) infer their type from it, so the caller
 * writes neither a type argument nor a cast.
 *
 * <pre>{@code
 * static final TypedKey<List<Todo>> TODOS = TypedKey.of(JsonType.of(new TypeReference<>() {}), "todos");
 * static TypedKey<Todo> todo(String id) { return TypedKey.of(Todo.class, "todos", id); }
 *
 * Optional<List<Todo>> cached = quarry.getQueryData(TODOS);       // no cast, no <List<Todo>>
 * quarry.updateQueryData(TODOS, list -> plus(list, draft));        // list is a List<Todo>
 * }</pre>
 *
 * <p><b>Identity.</b> The cache is keyed by {@link #key()} alone: a typed key and its plain key
 * address the same query, and the untyped methods keep working on it. Two typed keys are equal when
 * their keys and types are.
 *
 * <p><b>Checking.</b> Java erases generic types, so what can be checked at run time is the raw
 * class: data read through a typed key must be an instance of {@link #rawType()} (for {@code
 * List<Todo>}: a {@code List}), or {@link #cast(Object)} throws a {@link ClassCastException} that
 * names the key, the type the key declares and the class found. The element types of a generic type
 * are not checked. At compile time the type argument is what protects the caller: passing a {@code
 * TypedKey<List<Todo>>} where a {@code Todo} is written does not compile.
 *
 * <p>Immutable and thread-safe; keep typed keys in constants or build them in small factory
 * methods. Never {@code null} parts of the API: nullness as for {@link QueryKey}.
 *
 * @param <T> the type of the data cached under the key
 */
public final class TypedKey<T> {
  private final QueryKey key;
  private final JsonType<T> type;
  private final Class<?> rawType;

  private TypedKey(QueryKey key, JsonType<T> type) {
    this.key = Objects.requireNonNull(key, "key");
    this.type = Objects.requireNonNull(type, "type");
    JavaType resolved = type.resolve(TypeFactory.defaultInstance());
    Class<?> raw = resolved.getRawClass();
    this.rawType = raw.isPrimitive() ? ClassUtil.wrapperType(raw) : raw;
  }

  /**
   * A key of {@code parts} (as {@link QueryKey#of}) whose data is a {@code type}: {@code
   * TypedKey.of(Todo.class, "todos", id)}.
   *
   * @throws IllegalArgumentException if a part cannot be represented (the message names it)
   */
  public static <T> TypedKey<T> of(Class<T> type, @Nullable Object... parts) {
    return new TypedKey<>(QueryKey.of(parts), JsonType.of(Objects.requireNonNull(type, "type")));
  }

  /**
   * A key of {@code parts} (as {@link QueryKey#of}) whose data is a generic {@code type}: {@code
   * TypedKey.of(TODO_LIST, "todos")} with {@code TODO_LIST} a {@code JsonType<List<Todo>>}.
   *
   * @throws IllegalArgumentException if a part cannot be represented (the message names it)
   */
  public static <T> TypedKey<T> of(JsonType<T> type, @Nullable Object... parts) {
    return new TypedKey<>(QueryKey.of(parts), type);
  }

  /** {@code key} typed with {@code type}. */
  public static <T> TypedKey<T> of(QueryKey key, Class<T> type) {
    return new TypedKey<>(key, JsonType.of(Objects.requireNonNull(type, "type")));
  }

  /** {@code key} typed with {@code type}. */
  public static <T> TypedKey<T> of(QueryKey key, JsonType<T> type) {
    return new TypedKey<>(key, type);
  }

  /** The plain key: the identity of the query in the cache. */
  public QueryKey key() {
    return key;
  }

  /**
   * The data type, usable wherever a {@link JsonType} is taken, e.g. {@code http.get(path,
   * key.type())}.
   */
  public JsonType<T> type() {
    return type;
  }

  /** The class every value under this key is checked against: the data type's raw class. */
  public Class<?> rawType() {
    return rawType;
  }

  /**
   * {@code data} as a {@code T}, after checking it is an instance of {@link #rawType()}.
   *
   * @throws ClassCastException if it is not, naming the key, the declared type and the class found
   * @throws NullPointerException if {@code data} is {@code null}
   */
  @SuppressWarnings("unchecked") // checked against the raw class; type arguments are erased
  public T cast(Object data) {
    Objects.requireNonNull(data, "data");
    if (!rawType.isInstance(data)) {
      throw new ClassCastException(
          "the data of query "
              + key
              + " is a "
              + data.getClass().getName()
              + ", not the "
              + type
              + " its TypedKey declares: another writer stored a different type under this key"
              + " (an untyped setQueryData, a query function or a binding)");
    }
    return (T) data;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TypedKey<?> k && key.equals(k.key) && type.equals(k.type);
  }

  @Override
  public int hashCode() {
    return key.hashCode() * 31 + type.hashCode();
  }

  /** The key and its type, e.g. {@code ["todos"] as java.util.List<Todo>}. */
  @Override
  public String toString() {
    return key + " as " + type;
  }
}
