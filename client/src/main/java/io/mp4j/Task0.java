package io.mp4j;

import java.io.Serializable;

/**
 * A task that takes no argument; see {@link Task} for how tasks travel.
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface Task0<R> extends Serializable {
  /**
   * Runs the task.
   *
   * @return the result
   * @throws Exception anything; it reaches the caller as a {@link RemoteTaskException}
   */
  R apply() throws Exception;
}
