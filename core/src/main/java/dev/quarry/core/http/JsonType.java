package dev.quarry.core.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.lang.reflect.Type;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The Java type a JSON response body is decoded into: a {@link Class}, a Jackson {@link
 * TypeReference} (for generic types such as {@code List<Episode>}) or a Jackson {@link JavaType}.
 *
 * <p>Immutable and thread-safe; keep frequently used types in constants. {@code JsonType.of(
 * Void.class)} means "ignore the body": any status 2xx response completes with {@code null}.
 *
 * <pre>{@code
 * static final JsonType<List<Episode>> EPISODES = JsonType.of(new TypeReference<>() {});
 * http.get("projects/p1/episodes", EPISODES).thenAccept(this::show);
 * }</pre>
 *
 * @param <T> the decoded type
 */
@SuppressWarnings("UnusedTypeParameter") // T ties the decoded type to the call site
public final class JsonType<T> {
  private static final JsonType<Void> VOID = new JsonType<>(Void.class);

  private final Type type;

  private JsonType(Type type) {
    this.type = type;
  }

  /** The type of a plain class, for example {@code JsonType.of(Episode.class)}. */
  @SuppressWarnings("unchecked")
  public static <T> JsonType<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return type == Void.class ? (JsonType<T>) VOID : new JsonType<>(type);
  }

  /**
   * A generic type captured by a type reference, for example {@code JsonType.of(new
   * TypeReference<List<Episode>>() {})}.
   */
  public static <T> JsonType<T> of(TypeReference<T> type) {
    Objects.requireNonNull(type, "type");
    return new JsonType<>(type.getType());
  }

  /**
   * A type built with Jackson's {@link TypeFactory}. The caller vouches that {@code T} matches it;
   * nothing checks this at compile time.
   */
  public static <T> JsonType<T> of(JavaType type) {
    Objects.requireNonNull(type, "type");
    return new JsonType<>(type);
  }

  /** The type that ignores the response body. */
  public static JsonType<Void> none() {
    return VOID;
  }

  /** Whether this is {@code Void}: the body is not read, the future completes with null. */
  public boolean isVoid() {
    return type == Void.class || (type instanceof JavaType j && j.hasRawClass(Void.class));
  }

  /** This type resolved by the given factory (usually the mapper's). */
  public JavaType resolve(TypeFactory typeFactory) {
    return type instanceof JavaType j ? j : typeFactory.constructType(type);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof JsonType<?> other && other.type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  /** The type's name, for example {@code java.util.List<dev.example.Episode>}. */
  @Override
  public String toString() {
    return type instanceof JavaType j ? j.toCanonical() : type.getTypeName();
  }
}
