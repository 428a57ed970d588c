package io.mp4j.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Presents a run's sections: as an aligned table on the console and as the markdown of
 * docs/benchmarks.md. Both show the same measured figures; the markdown adds the machine, the
 * method of each benchmark and the command that produced it.
 *
 * @param machine facts about the machine, in display order
 * @param command the command line that produced the run
 * @param startedAt when the run started, for the reader
 * @param quick whether the run used {@code --quick} sizes, whose numbers are not results
 * @param sections the benchmarks' outcomes, numbered in list order
 */
record Report(Map<String, String> machine, String command, String startedAt, boolean quick,
    List<Numbered> sections) {

  /** A section with its number in the list of benchmarks. */
  record Numbered(int number, Section section) {}

  private static final String QUICK_WARNING = "Quick sizes (--quick): these numbers only show"
      + " that every benchmark runs end to end; they are not results.";

  /** Prints every section as rows of aligned columns. */
  void print(PrintStream out) {
    out.println();
    out.println("mp4j benchmarks, " + startedAt);
    if (quick) {
      out.println(QUICK_WARNING);
    }
    for (Numbered numbered : sections) {
      Section section = numbered.section();
      List<String[]> rows = new ArrayList<>();
      for (Section.Figure figure : section.figures) {
        rows.add(new String[] {figure.side().label, figure.what(), figure.value(),
            figure.detail()});
      }
      for (Section.Goal goal : section.goals) {
        rows.add(new String[] {"goal", goal.goal(), goal.measured(), goal.verdict().label});
      }
      out.println();
      out.println(numbered.number() + ". " + section.title);
      printAligned(out, rows);
      for (String note : section.notes) {
        out.println("  note: " + note);
      }
    }
    out.println();
  }

  /** The whole docs/benchmarks.md. */
  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# mp4j benchmarks\n\n");
    if (quick) {
      md.append("> **").append(QUICK_WARNING).append("**\n\n");
    }
    md.append("Generated ").append(startedAt).append(" by running, from the repository root:\n\n")
        .append("```\n").append(command).append("\n```\n\n")
        .append("Every figure below was measured in that one run, on the machine below: mp4j,"
            + " Python's `multiprocessing` doing the same work (`bench/python/mp_bench.py`) and"
            + " the limit that bounds the figure, one after the other, each warmed up as"
            + " described. Nothing is copied from elsewhere or estimated. Python's pools use"
            + " its default start method, shown below, except where benchmark 5 names one.\n\n");

    md.append("## Machine\n\n| | |\n|---|---|\n");
    machine.forEach((key, value) -> md.append("| ").append(key).append(" | ")
        .append(cell(value)).append(" |\n"));

    md.append("\n## Goals\n\n| # | Benchmark | Goal | Measured | Result |\n"
        + "|---|---|---|---|---|\n");
    for (Numbered numbered : sections) {
      Section section = numbered.section();
      if (section.goals.isEmpty()) {
        boolean failed = section.notes.stream().anyMatch(note -> note.startsWith("failed:"));
        md.append("| ").append(numbered.number()).append(" | ").append(cell(section.title))
            .append(failed ? " | | | failed: see below |\n"
                : " | none: a record | see below | |\n");
      }
      for (Section.Goal goal : section.goals) {
        md.append("| ").append(numbered.number()).append(" | ").append(cell(section.title))
            .append(" | ").append(cell(goal.goal())).append(" | ")
            .append(cell(goal.measured())).append(" | ")
            .append(goal.verdict() == Section.Verdict.NOT_MET ? "**NOT met**"
                : goal.verdict().label).append(" |\n");
      }
    }

    for (Numbered numbered : sections) {
      Section section = numbered.section();
      md.append("\n## ").append(numbered.number()).append(". ").append(section.title)
          .append("\n\n");
      if (!section.method.isEmpty()) {
        md.append(section.method).append("\n\n");
      }
      if (!section.figures.isEmpty()) {
        md.append("| Side | What | Figure | How |\n|---|---|---|---|\n");
        for (Section.Figure figure : section.figures) {
          md.append("| ").append(figure.side().label).append(" | ").append(cell(figure.what()))
              .append(" | ").append(cell(figure.value())).append(" | ")
              .append(cell(figure.detail())).append(" |\n");
        }
        md.append('\n');
      }
      for (Section.Goal goal : section.goals) {
        md.append("- Goal: ").append(goal.goal()).append(": ").append(goal.measured())
            .append(", ").append(goal.verdict().label).append(".\n");
      }
      for (String note : section.notes) {
        md.append("- Note: ").append(note).append('\n');
      }
    }
    return md.toString();
  }

  private static void printAligned(PrintStream out, List<String[]> rows) {
    int columns = 4;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns - 1; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** Text safe inside a markdown table cell. */
  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", "<br>");
  }
}
