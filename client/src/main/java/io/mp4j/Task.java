package io.mp4j;

import java.io.Serializable;

/**
 * A task that takes one argument: a method reference, a lambda, or an object of a top-level or
 * static nested class. It is sent to workers by name, never as Java bytes: a lambda by its
 * implementation method and the values it captures, an object by its class and its fields.
 *
 * <p><b>Warning:</b> the values a lambda captures, and the fields of a task object, must be
 * values mp4j can encode (numbers, strings, arrays, collections, enums, records, beans); a lambda
 * that captures {@code this} of a class that is not such a value cannot be sent.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Task<T, R> extends Serializable {
  /**
   * Runs the task.
   *
   * @param argument the argument
   * @return the result
   * @throws Exception anything; it reaches the caller as a {@link RemoteTaskException}
   */
  R apply(T argument) throws Exception;
}
