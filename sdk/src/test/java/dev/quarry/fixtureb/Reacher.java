package dev.quarry.fixtureb;

import dev.quarry.fixturea.internal.Engine;

/** A planted reach into another module's internal package, for {@code ArchitectureTest}. */
public final class Reacher {
  private Reacher() {}

  /** Uses the other module's internal type. */
  public static Object make() {
    return new Engine();
  }
}
