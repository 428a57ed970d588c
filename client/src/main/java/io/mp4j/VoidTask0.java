package io.mp4j;

import java.io.Serializable;

/**
 * Code run for its effect, taking no argument: a process's target, a pool's initializer, a
 * barrier's action. A method that returns a value fits too, and its value is dropped. It
 * travels as a {@link Task} does.
 */
@FunctionalInterface
public interface VoidTask0 extends Serializable {
  /**
   * Runs the code.
   *
   * @throws Exception anything; a process then exits with code 1
   */
  void apply() throws Exception;
}
