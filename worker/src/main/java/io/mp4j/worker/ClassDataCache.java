package io.mp4j.worker;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A class-data sharing archive of the classes a worker JVM loads before its first task, kept in
 * the temporary directory per classpath. A worker that starts from the archive reaches its first
 * result in about two thirds of the time. The first pool on a classpath starts one short
 * training JVM in the background that writes the archive as it exits ({@code
 * -XX:ArchiveClassesAtExit}), when that pool closes or {@link #TRAINING_DELAY} after its first
 * worker, whichever comes first; later worker JVMs map it. Only classpaths made of jar files
 * qualify, because the JVM cannot archive classes from directories. Each rebuilt jar makes a new
 * archive of about 4 MB, so the directory keeps the {@value #ARCHIVES_KEPT} last used.
 */
final class ClassDataCache {
  /** How many archives the directory keeps: the ones whose classpaths were used last. */
  static final int ARCHIVES_KEPT = 16;
  /** A training run writes its archive within seconds; a partial one this old is left over. */
  static final int PARTIAL_STALE_MINUTES = 10;
  private static final AtomicBoolean TRAINING = new AtomicBoolean();
  /**
   * A training run waits for the pool that needed it to close, or this long: run beside the
   * pool's start and first work, it slowed them (architecture.md has the figures).
   */
  static final Duration TRAINING_DELAY = Duration.ofSeconds(10);
  private static final DeferredStart TRAINING_START = new DeferredStart();
  /** Whether this JVM has dated its archive as used (once is enough). */
  private static final AtomicBoolean MARKED = new AtomicBoolean();
  private static volatile java.util.concurrent.CompletableFuture<Void> training =
      java.util.concurrent.CompletableFuture.completedFuture(null);

  private ClassDataCache() {}

  /**
   * The JVM options that map the archive for this classpath, or none when there is no archive
   * yet (a training run is then started) or the classpath does not qualify.
   */
  static List<String> options(String java, List<String> baseOptions, String classpath) {
    if (Boolean.getBoolean("mp4j.cds.disabled")) {
      return List.of();
    }
    Path archive = archiveFor(classpath, baseOptions);
    if (archive == null) {
      return List.of();
    }
    if (Files.isReadable(archive)) {
      if (MARKED.compareAndSet(false, true)) {
        markUsed(archive);
      }
      return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }
    if (TRAINING.compareAndSet(false, true)) {
      TRAINING_START.schedule(() -> train(java, baseOptions, classpath, archive),
          TRAINING_DELAY);
    }
    return List.of();
  }

  /**
   * Starts the training run now if one is waiting: when the pool that needed the archive closes,
   * its cores are free for it.
   */
  static void startWaitingTraining() {
    TRAINING_START.now();
  }

  /**
   * Starts a waiting training run and waits for a training run of this JVM, if any; returns
   * whether it ended in time.
   */
  static boolean awaitTraining(Duration timeout) {
    startWaitingTraining();
    try {
      training.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  private static Path archiveFor(String classpath, List<String> baseOptions) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((System.getProperty("java.home") + "|" + System.getProperty("java.vm.version")
          + "|" + baseOptions).getBytes(StandardCharsets.UTF_8));
      for (String entry : classpath.split(File.pathSeparator)) {
        Path jar = Path.of(entry);
        if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
          return null;
        }
        digest.update((jar.toAbsolutePath() + "|" + Files.size(jar) + "|"
            + Files.getLastModifiedTime(jar).toMillis()).getBytes(StandardCharsets.UTF_8));
      }
      String key = HexFormat.of().formatHex(digest.digest(), 0, 12);
      Path directory = Path.of(System.getProperty("java.io.tmpdir"),
          "mp4j-cds-" + System.getProperty("user.name"));
      Files.createDirectories(directory);
      return directory.resolve(key + ".jsa");
    } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
      return null;
    }
  }

  /** Dates the archive now, so that pruning keeps it; a JVM that cannot just leaves it. */
  private static void markUsed(Path archive) {
    try {
      Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException e) {
      // Not this user's file, or a read-only directory: the archive still serves.
    }
  }

  /**
   * Deletes all but the {@code keep} archives of the directory used last, and partial archives
   * that no training run has written for {@value #PARTIAL_STALE_MINUTES} minutes. A JVM that maps
   * a deleted archive keeps its mapping; the next pool on that classpath trains a new one.
   */
  static void prune(Path directory, int keep) {
    deleteStalePartials(directory);
    List<Path> archives = entries(directory, "*.jsa");
    if (archives.size() <= keep) {
      return;
    }
    Map<Path, Long> used = new HashMap<>();
    for (Path archive : archives) {
      try {
        used.put(archive, Files.getLastModifiedTime(archive).toMillis());
      } catch (IOException e) {
        used.put(archive, Long.MAX_VALUE); // gone or unreadable: not this run's to delete
      }
    }
    archives.sort(Comparator.comparing(used::get, Comparator.reverseOrder()));
    for (Path stale : archives.subList(keep, archives.size())) {
      try {
        Files.deleteIfExists(stale);
      } catch (IOException e) {
        // Another user's archive, or one deleted meanwhile: left to them.
      }
    }
  }

  private static void deleteStalePartials(Path directory) {
    long staleBefore = System.currentTimeMillis() - PARTIAL_STALE_MINUTES * 60_000L;
    for (Path partial : entries(directory, "*.jsa.*.tmp")) {
      try {
        if (Files.getLastModifiedTime(partial).toMillis() < staleBefore) {
          Files.deleteIfExists(partial);
        }
      } catch (IOException e) {
        // Another user's file, or gone meanwhile: left as it is.
      }
    }
  }

  /** The directory's files that match the glob; none when it cannot be read. */
  private static List<Path> entries(Path directory, String glob) {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, glob)) {
      entries.forEach(found::add);
    } catch (IOException e) {
      return List.of();
    }
    return found;
  }

  /**
   * Starts the training JVM; when it exits cleanly its archive is moved into place. The training
   * JVM outlives a short program that started it (it ends by itself within seconds), and where
   * there is a POSIX shell, the shell that runs it moves the archive, so a program that ends
   * before its training run still leaves the archive for its next run.
   */
  private static void train(String java, List<String> baseOptions, String classpath,
      Path archive) {
    prune(archive.getParent(), ARCHIVES_KEPT);
    Path partial = archive.resolveSibling(archive.getFileName() + "."
        + ProcessHandle.current().pid() + ".tmp");
    List<String> command = new ArrayList<>();
    boolean shell = Files.isExecutable(Path.of("/bin/sh"));
    if (shell) {
      command.addAll(List.of("/bin/sh", "-c",
          "\"$@\" && exec mv -f -- \"$MP4J_CDS_PARTIAL\" \"$MP4J_CDS_ARCHIVE\"",
          "mp4j-cds-training"));
    }
    command.add(java);
    command.addAll(baseOptions);
    command.add("-XX:ArchiveClassesAtExit=" + partial);
    command.add("-Xlog:cds=off");
    command.add("-Xlog:cds+dynamic=off");
    command.add("-cp");
    command.add(classpath);
    command.add(WorkerChild.class.getName());
    command.add("train");
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD);
      builder.environment().put("MP4J_CDS_PARTIAL", partial.toString());
      builder.environment().put("MP4J_CDS_ARCHIVE", archive.toString());
      Process process = builder.start();
      training = process.onExit().thenRun(() -> {
        try {
          if (process.exitValue() == 0 && Files.isRegularFile(partial)) {
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE); // where no shell did
          }
        } catch (IOException e) {
          WorkerLog.LOG.log(Level.DEBUG, "could not keep the class-data archive " + archive, e);
        } finally {
          try {
            Files.deleteIfExists(partial);
          } catch (IOException e) {
            // A leftover partial file is ignored by name, and pruned once stale.
          }
        }
      });
    } catch (IOException e) {
      WorkerLog.LOG.log(Level.DEBUG, "could not start the class-data training run", e);
    }
  }
}
