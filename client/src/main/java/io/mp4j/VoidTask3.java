package io.mp4j;

import java.io.Serializable;

/**
 * Code run for its effect, taking three arguments: a process's target. A method that returns a
 * value fits too, and its value is dropped. It travels as a {@link Task} does.
 *
 * @param <A> the first argument's type
 * @param <B> the second argument's type
 * @param <C> the third argument's type
 */
@FunctionalInterface
public interface VoidTask3<A, B, C> extends Serializable {
  /**
   * Runs the code.
   *
   * @param first the first argument
   * @param second the second argument
   * @param third the third argument
   * @throws Exception anything; a process then exits with code 1
   */
  void apply(A first, B second, C third) throws Exception;
}
