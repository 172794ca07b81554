package dev.quarry.cache.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reflective access to one record class for structural sharing: its component accessors and its
 * canonical constructor, looked up once per class and kept in a {@link ClassValue} (so a class
 * loader that goes away takes its entry with it). That a class is no record is remembered the same
 * way: asking costs one lookup either way.
 *
 * <p>A record whose accessors or constructor cannot be made accessible (a package that a named
 * module neither exports nor opens to this module, or a security manager that refuses) has no
 * shape: {@link #of} returns {@code null} and the caller compares such records whole. Thread-safe:
 * immutable once built.
 */
final class RecordShape {
  private static final ClassValue<Optional<RecordShape>> SHAPES =
      new ClassValue<>() {
        @Override
        protected Optional<RecordShape> computeValue(Class<?> type) {
          return type.isRecord() ? Optional.ofNullable(lookUp(type)) : Optional.empty();
        }
      };

  private final Method[] accessors;
  private final Class<?>[] types;
  private final Constructor<?> canonical;

  private RecordShape(Method[] accessors, Class<?>[] types, Constructor<?> canonical) {
    this.accessors = accessors;
    this.types = types;
    this.canonical = canonical;
  }

  /** The shape of {@code type}, or {@code null} if it is not a record or cannot be accessed. */
  static @Nullable RecordShape of(Class<?> type) {
    return SHAPES.get(type).orElse(null);
  }

  private static @Nullable RecordShape lookUp(Class<?> type) {
    RecordComponent[] components = type.getRecordComponents();
    if (components == null) {
      return null;
    }
    Method[] accessors = new Method[components.length];
    Class<?>[] types = new Class<?>[components.length];
    try {
      for (int i = 0; i < components.length; i++) {
        accessors[i] = components[i].getAccessor();
        types[i] = components[i].getType();
        if (!accessors[i].trySetAccessible()) {
          return null;
        }
      }
      Constructor<?> canonical = type.getDeclaredConstructor(types);
      if (!canonical.trySetAccessible()) {
        return null;
      }
      for (int i = 0; i < types.length; i++) {
        types[i] = boxed(types[i]);
      }
      return new RecordShape(accessors, types, canonical);
    } catch (NoSuchMethodException | SecurityException | InaccessibleObjectException e) {
      return null;
    }
  }

  int size() {
    return accessors.length;
  }

  /**
   * The value of component {@code i} of {@code record}.
   *
   * @throws RuntimeException what the accessor threw (an unchecked one as is)
   */
  @Nullable Object get(Object record, int i) {
    try {
      return accessors[i].invoke(record);
    } catch (InvocationTargetException e) {
      throw unchecked(e.getCause(), accessors[i]);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read " + accessors[i] + " for structural sharing", e);
    }
  }

  /** Whether {@code value} may be passed as component {@code i} of the canonical constructor. */
  boolean accepts(int i, @Nullable Object value) {
    return value == null ? !accessors[i].getReturnType().isPrimitive() : types[i].isInstance(value);
  }

  /**
   * A new record from {@code components}, or {@code null} if its canonical constructor refused them
   * (a check that involves several components may fail for a mix of old and new ones).
   */
  @Nullable Object build(@Nullable Object[] components) {
    try {
      return canonical.newInstance(components);
    } catch (InvocationTargetException
        | InstantiationException
        | IllegalAccessException
        | IllegalArgumentException refused) {
      return null;
    }
  }

  private static RuntimeException unchecked(@Nullable Throwable cause, Method accessor) {
    if (cause instanceof RuntimeException unchecked) {
      return unchecked;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new IllegalStateException(
        "record accessor " + accessor + " failed during structural sharing", cause);
  }

  private static Class<?> boxed(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    if (type == int.class) {
      return Integer.class;
    }
    if (type == long.class) {
      return Long.class;
    }
    if (type == boolean.class) {
      return Boolean.class;
    }
    if (type == double.class) {
      return Double.class;
    }
    if (type == float.class) {
      return Float.class;
    }
    if (type == short.class) {
      return Short.class;
    }
    if (type == byte.class) {
      return Byte.class;
    }
    return Character.class;
  }
}
