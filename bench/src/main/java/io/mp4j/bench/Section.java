package io.mp4j.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One benchmark's outcome: how it was measured, its figures for mp4j, Python and the limit, and
 * its goals with whether each was met. Holds measured numbers only; a figure that could not be
 * measured is absent and a note says why.
 */
final class Section {
  /** Whose figure a row is. */
  enum Side {
    MP4J("mp4j"), PYTHON("Python"), LIMIT("limit");

    final String label;

    Side(String label) {
      this.label = label;
    }
  }

  /** Whether a goal was met. */
  enum Verdict {
    MET("met"), NOT_MET("NOT met"), NOT_MEASURED("not measured");

    final String label;

    Verdict(String label) {
      this.label = label;
    }

    static Verdict of(boolean met) {
      return met ? MET : NOT_MET;
    }
  }

  /** A measured figure, such as mp4j's map throughput, with how it was obtained. */
  record Figure(Side side, String what, String value, String detail) {}

  /** A goal from the issue and the measurement it was judged on. */
  record Goal(String goal, String measured, Verdict verdict) {}

  final String key;
  final String title;
  final String method;
  final List<Figure> figures = new ArrayList<>();
  final List<Goal> goals = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  Section(String key, String title, String method) {
    this.key = key;
    this.title = title;
    this.method = method;
  }

  void figure(Side side, String what, String value, String detail) {
    figures.add(new Figure(side, what, value, detail));
  }

  void goal(String goal, String measured, boolean met) {
    goals.add(new Goal(goal, measured, Verdict.of(met)));
  }

  void unmeasuredGoal(String goal, String why) {
    goals.add(new Goal(goal, why, Verdict.NOT_MEASURED));
  }

  void note(String text) {
    notes.add(text);
  }
}
