package io.mp4j;

import java.io.Serializable;

/**
 * A task that takes three arguments, as {@link Pool#starmap} calls it; see {@link Task} for how
 * tasks travel.
 *
 * @param <A> the first argument's type
 * @param <B> the second argument's type
 * @param <C> the third argument's type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Task3<A, B, C, R> extends Serializable {
  /**
   * Runs the task.
   *
   * @param first the first argument
   * @param second the second argument
   * @param third the third argument
   * @return the result
   * @throws Exception anything; it reaches the caller as a {@link RemoteTaskException}
   */
  R apply(A first, B second, C third) throws Exception;
}
