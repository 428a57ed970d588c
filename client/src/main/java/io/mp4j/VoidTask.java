package io.mp4j;

import java.io.Serializable;

/**
 * Code run for its effect, taking one argument: a process's target, a pool's initializer. A
 * method that returns a value fits too, and its value is dropped. It travels as a {@link Task}
 * does.
 *
 * @param <T> the argument's type
 */
@FunctionalInterface
public interface VoidTask<T> extends Serializable {
  /**
   * Runs the code.
   *
   * @param argument the argument
   * @throws Exception anything; a process then exits with code 1
   */
  void apply(T argument) throws Exception;
}
