package dev.quarry.store;

import dev.quarry.core.QuarryException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A store's persisted state could not be read, decoded or written. It is never thrown at the
 * caller: the store reports it to its {@link dev.quarry.core.ErrorHandler} and keeps running (with
 * the initial state when restoring failed). The message names the store, the file and what was done
 * about it (for example, where a corrupt file was set aside).
 */
public final class StorePersistenceException extends QuarryException {
  private static final long serialVersionUID = 1L;

  // A Path is not Serializable; its string form is.
  private final String path;

  /** Creates an exception about {@code path}. */
  public StorePersistenceException(String message, Path path, @Nullable Throwable cause) {
    super(message, cause);
    this.path = path.toString();
  }

  /** The file that could not be read or written. */
  public Path path() {
    return Path.of(path);
  }
}
