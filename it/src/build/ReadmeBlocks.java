import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Copies the README's compiled code blocks into a source folder, so that the consumer projects
 * compile exactly what the README shows. A block is marked by the line {@code <!-- compiled:
 * path/Name.java -->} right before its {@code ```java} fence.
 *
 * <p>Usage: {@code java ReadmeBlocks.java README.md <output folder> <expected count>}
 */
public final class ReadmeBlocks {
  private static final String MARK = "<!-- compiled: ";

  public static void main(String[] args) throws IOException {
    Path readme = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int expected = Integer.parseInt(args[2]);
    List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
    int written = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (!line.startsWith(MARK)) {
        continue;
      }
      String file = line.substring(MARK.length(), line.indexOf("-->")).trim();
      if (i + 1 >= lines.size() || !lines.get(i + 1).trim().equals("```java")) {
        throw new IllegalStateException(readme + ":" + (i + 1) + ": no ```java fence after " + line);
      }
      StringBuilder code = new StringBuilder();
      int j = i + 2;
      for (; j < lines.size() && !lines.get(j).trim().equals("```"); j++) {
        code.append(lines.get(j)).append('\n');
      }
      if (j == lines.size()) {
        throw new IllegalStateException(readme + ":" + (i + 2) + ": the block of " + file + " never ends");
      }
      Path target = out.resolve(file);
      Files.createDirectories(target.getParent());
      Files.writeString(target, code, StandardCharsets.UTF_8);
      System.out.println("README block -> " + target);
      written++;
      i = j;
    }
    if (written != expected) {
      throw new IllegalStateException(
          readme + " has " + written + " compiled blocks, expected " + expected);
    }
  }
}
