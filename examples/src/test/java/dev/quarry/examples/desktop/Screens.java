package dev.quarry.examples.desktop;

import java.awt.Component;
import java.awt.Container;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.swing.JComponent;
import javax.swing.SwingUtilities;

/**
 * Headless rendering and component lookup for Swing tests: lightweight components lay out and paint
 * into a {@link BufferedImage} without a display. A copy of the devtools module's test helper of
 * the same name.
 */
public final class Screens {
  private Screens() {}

  /** Runs {@code work} on the EDT and returns its result; everything queued before it ran first. */
  public static <T> T onEdt(Callable<T> work) {
    AtomicReference<T> result = new AtomicReference<>();
    try {
      SwingUtilities.invokeAndWait(
          () -> {
            try {
              result.set(work.call());
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(e.getCause());
    }
    return result.get();
  }

  /** Runs {@code work} on the EDT and waits for it. */
  public static void onEdt(Runnable work) {
    onEdt(
        () -> {
          work.run();
          return null;
        });
  }

  /** Lays {@code c} out at {@code width} x {@code height}, every nested container too. EDT. */
  public static void layOut(JComponent c, int width, int height) {
    c.setSize(width, height);
    layOutTree(c);
  }

  private static void layOutTree(Container c) {
    c.doLayout();
    for (Component child : c.getComponents()) {
      if (child instanceof Container nested) {
        layOutTree(nested);
      }
    }
  }

  /** Lays out and paints {@code c} into an image, and writes it as PNG to {@code file}. EDT. */
  public static BufferedImage paint(JComponent c, int width, int height, Path file) {
    layOut(c, width, height);
    layOut(c, width, height); // a second pass settles sizes that depend on nested layouts
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      c.paint(g);
    } finally {
      g.dispose();
    }
    try {
      Files.createDirectories(file.getParent());
      ImageIO.write(image, "png", file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return image;
  }

  /** The one component named {@code name} under {@code root}, of type {@code type}. EDT. */
  public static <T extends Component> T find(Container root, String name, Class<T> type) {
    List<T> found = new ArrayList<>();
    collect(root, name, type, found);
    if (found.size() != 1) {
      throw new AssertionError(
          found.size() + " components named " + name + " of type " + type.getSimpleName());
    }
    return found.get(0);
  }

  private static <T extends Component> void collect(
      Component c, String name, Class<T> type, List<T> found) {
    if (name.equals(c.getName()) && type.isInstance(c)) {
      found.add(type.cast(c));
    }
    if (c instanceof Container container) {
      for (Component child : container.getComponents()) {
        collect(child, name, type, found);
      }
    }
  }

  /** How many distinct colours an image has: a blank or one-colour image has 1. */
  public static int colours(BufferedImage image) {
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        seen.add(image.getRGB(x, y));
        if (seen.size() > 64) {
          return seen.size();
        }
      }
    }
    return seen.size();
  }
}
