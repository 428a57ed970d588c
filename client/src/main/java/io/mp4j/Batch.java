package io.mp4j;

import java.util.List;

/**
 * A run of calls of one task: Python's chunk. With arity 1 each item is the argument; with any
 * other arity each item is the list of arguments.
 */
record Batch(TaskFunction function, List<?> items, BatchListener listener) {

  int size() {
    return items.size();
  }

  /** The arguments of call {@code index}. */
  Object[] arguments(int index) {
    Object item = items.get(index);
    int arity = function.arity();
    if (arity == 1) {
      return new Object[] {item};
    }
    if (arity == 0) {
      return new Object[0];
    }
    return ((List<?>) item).toArray();
  }
}
