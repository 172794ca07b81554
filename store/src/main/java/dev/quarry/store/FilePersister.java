package dev.quarry.store;

import dev.quarry.core.ErrorHandler;
import dev.quarry.core.internal.NamedThreadFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Restores and writes one store's persisted state (see {@link StorePersistence} for the contract).
 * Writes are coalesced: a change schedules at most one pending write, which encodes whatever the
 * state is when it runs.
 */
final class FilePersister<S> {
  /** How long {@link #close} waits for an in-progress write on the store's own thread. */
  private static final long CLOSE_WAIT_SECONDS = 30;

  private static final int MAX_CORRUPT_COPIES = 10_000;

  private final String storeName;
  private final StorePersistence<S> persistence;
  private volatile @Nullable Thread writeThread;
  private final ErrorHandler errorHandler;
  private final Path path;
  private final Path temp;
  private final java.util.concurrent.Executor writeExecutor;
  private final @Nullable ExecutorService ownedExecutor;
  private final AtomicBoolean writeScheduled = new AtomicBoolean();
  private final Object writeLock = new Object();

  // Guarded by writeLock.
  private long writtenVersion;
  private byte @Nullable [] writtenBytes;

  /** Set when a file that could not be read could not be set aside: never overwrite it. */
  private volatile boolean writesDisabled;

  FilePersister(String storeName, StorePersistence<S> persistence, ErrorHandler errorHandler) {
    this.storeName = storeName;
    this.persistence = persistence;
    this.errorHandler = errorHandler;
    this.path = persistence.path();
    this.temp = path.resolveSibling(path.getFileName() + ".tmp");
    java.util.concurrent.Executor given = persistence.writeExecutor();
    if (given != null) {
      this.writeExecutor = given;
      this.ownedExecutor = null;
    } else {
      NamedThreadFactory threads = new NamedThreadFactory("store-" + storeName + "-persist");
      ExecutorService owned =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = threads.newThread(r);
                writeThread = t;
                return t;
              });
      this.writeExecutor = owned;
      this.ownedExecutor = owned;
    }
  }

  /**
   * Reads the file and merges it into {@code initial}; on any failure reports it, sets the file
   * aside and returns {@code initial}.
   */
  S restore(S initial) {
    byte[] json;
    try {
      json = Files.readAllBytes(path);
    } catch (NoSuchFileException absent) {
      return initial;
    } catch (IOException | RuntimeException e) {
      setAside("cannot read", e);
      return initial;
    }
    try {
      S restored = persistence.decode(initial, json);
      synchronized (writeLock) {
        writtenBytes = json;
      }
      return restored;
    } catch (IOException | RuntimeException e) {
      setAside("cannot decode", e);
      return initial;
    }
  }

  private void setAside(String what, Exception cause) {
    String prefix = "store '" + storeName + "': " + what + " " + path + " (" + cause + ")";
    for (int n = 1; n <= MAX_CORRUPT_COPIES; n++) {
      Path aside = path.resolveSibling(path.getFileName() + ".corrupt-" + n);
      try {
        Files.move(path, aside);
        report(
            prefix + "; set it aside as " + aside + " and started from the initial state", cause);
        return;
      } catch (FileAlreadyExistsException taken) {
        // try the next number
      } catch (IOException | RuntimeException e) {
        cause.addSuppressed(e);
        break;
      }
    }
    writesDisabled = true;
    report(
        prefix
            + "; could not set it aside, so the store will not write this file;"
            + " started from the initial state",
        cause);
  }

  /** Schedules a write of the latest state, unless one is already pending. */
  void changed(Supplier<Versioned<S>> current) {
    if (writesDisabled || !writeScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      writeExecutor.execute(
          () -> {
            writeScheduled.set(false);
            write(current.get());
          });
    } catch (RejectedExecutionException e) {
      writeScheduled.set(false);
      report("store '" + storeName + "': write executor rejected a write of " + path, e);
    }
  }

  /** Writes {@code state} unless a newer or equal version was already written. */
  void write(Versioned<S> state) {
    if (writesDisabled) {
      return;
    }
    synchronized (writeLock) {
      if (state.version() <= writtenVersion) {
        return;
      }
    }
    byte[] json;
    try {
      json = persistence.encode(state.value()); // user code (partialize): outside the lock
    } catch (IOException | RuntimeException e) {
      report("store '" + storeName + "': cannot encode the state for " + path, e);
      return;
    }
    synchronized (writeLock) {
      if (state.version() <= writtenVersion) {
        return;
      }
      byte[] previous = writtenBytes;
      if (previous == null || !Arrays.equals(previous, json)) {
        try {
          writeAtomically(json);
        } catch (IOException | RuntimeException e) {
          report("store '" + storeName + "': cannot write " + path, e);
          return;
        }
        writtenBytes = json;
      }
      writtenVersion = state.version();
    }
  }

  private void writeAtomically(byte[] json) throws IOException {
    Path dir = path.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    try (FileChannel ch =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(json);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Waits for the store's own write thread, then writes the final state on this thread. */
  void close(Versioned<S> finalState) {
    ExecutorService owned = ownedExecutor;
    if (owned != null) {
      owned.shutdown();
      try {
        if (!owned.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
          report(
              "store '" + storeName + "': a write of " + path + " did not finish at close",
              new IllegalStateException("write still running after " + CLOSE_WAIT_SECONDS + " s"));
        } else {
          // an executor reports termination while its last thread is still leaving: join it, so
          // that no thread of the store is alive when close returns
          Thread t = writeThread;
          if (t != null) {
            t.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    write(finalState);
  }

  private void report(String message, Throwable cause) {
    errorHandler.safeHandle(
        "store '" + storeName + "' persistence",
        new StorePersistenceException(message, path, cause));
  }
}
