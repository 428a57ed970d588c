package io.mp4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataCacheTest {

  @Test
  void prune_keepsTheArchivesUsedLast_andPartialOnesBeingWritten_andNothingElseIsTouched(
      @TempDir Path directory)
      throws IOException {
    for (int i = 1; i <= 20; i++) {
      Path archive = Files.createFile(directory.resolve("archive-" + i + ".jsa"));
      Files.setLastModifiedTime(archive, FileTime.fromMillis(1_000_000L * i));
    }
    Files.createFile(directory.resolve("archive-0.jsa.123.tmp"));
    Path leftOver = Files.createFile(directory.resolve("archive-00.jsa.456.tmp"));
    Files.setLastModifiedTime(leftOver, FileTime.fromMillis(System.currentTimeMillis()
        - (ClassDataCache.PARTIAL_STALE_MINUTES + 1) * 60_000L));
    Files.createFile(directory.resolve("notes.txt"));

    ClassDataCache.prune(directory, 16);

    Set<String> expected = IntStream.rangeClosed(5, 20).mapToObj(i -> "archive-" + i + ".jsa")
        .collect(Collectors.toSet());
    expected.add("archive-0.jsa.123.tmp");
    expected.add("notes.txt");
    try (Stream<Path> left = Files.list(directory)) {
      assertEquals(expected,
          left.map(path -> path.getFileName().toString()).collect(Collectors.toSet()));
    }
  }

  @Test
  void prune_leavesADirectoryWithinTheLimitAsItIs(@TempDir Path directory) throws IOException {
    for (int i = 1; i <= 3; i++) {
      Files.createFile(directory.resolve("archive-" + i + ".jsa"));
    }

    ClassDataCache.prune(directory, 3);

    try (Stream<Path> left = Files.list(directory)) {
      assertEquals(3, left.count());
    }
  }
}
