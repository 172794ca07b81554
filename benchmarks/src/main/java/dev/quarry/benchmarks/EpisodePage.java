package dev.quarry.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The document of the fetch benchmarks: one page of episodes, about 2 KB as JSON.
 *
 * @param page the page number
 * @param total the number of episodes in all pages
 * @param items the episodes of this page
 */
public record EpisodePage(int page, int total, List<Episode> items) {
  /**
   * One episode.
   *
   * @param id its id
   * @param projectId its project
   * @param title its title
   * @param status draft, review or published
   * @param number its number in the project
   * @param updatedAt epoch millis of the last change
   * @param tags free tags
   */
  public record Episode(
      String id,
      String projectId,
      String title,
      String status,
      int number,
      long updatedAt,
      List<String> tags) {}

  /** A page of {@code count} episodes (10 make about 2 KB of JSON). */
  public static EpisodePage sample(int count) {
    List<Episode> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      items.add(
          new Episode(
              "ep-" + (1000 + i),
              "p-3f2a",
              "Episode " + i + ": the long road to the benchmark",
              i % 3 == 0 ? "draft" : "published",
              i + 1,
              1_764_000_000_000L + i * 60_000L,
              List.of("season-2", "interview", "tag-" + i)));
    }
    return new EpisodePage(1, 240, items);
  }
}
