package dev.quarry.fixturea;

import dev.quarry.fixturea.internal.Engine;
import java.util.List;

/** Planted boundary violations for {@code ArchitectureTest}: each member below breaks a rule. */
public final class LeakyApi {
  /** A public mutable field. */
  public int counter;

  private final Engine hidden = new Engine();

  /** Returns an internal type. */
  public Engine engine() {
    return hidden;
  }

  /** Returns an internal type as a generic argument. */
  public List<Engine> all() {
    return List.of(hidden);
  }

  /** Takes an internal type. */
  public void use(Engine engine) {
    counter += engine.hashCode() == 0 ? 0 : 1;
  }

  /** Not visible: allowed. */
  Engine packagePrivate() {
    return hidden;
  }
}
