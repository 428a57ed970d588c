package io.mp4j;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The results of {@link Pool#imap} or {@link Pool#imapUnordered}, as they arrive. The input is
 * read lazily: only a window of batches is in flight at a time, and a new batch is submitted only
 * when the caller takes a result, so a slow consumer holds the producers back.
 *
 * <p>{@link #next()} throws the {@link Mp4jException} of a call that failed, at that call's
 * place; iteration may go on after it.
 *
 * @param <R> the result type
 */
public interface ResultIterator<R> extends Iterator<R> {
  /**
   * The next result, waiting at most the given time: Python's {@code next(timeout)}.
   *
   * @param timeout how long to wait
   * @param unit the unit of {@code timeout}
   * @return the next result
   * @throws TimeoutException when no result arrives in time; the iteration may go on
   * @throws InterruptedException when interrupted while waiting
   * @throws NoSuchElementException when there are no more results
   * @throws Mp4jException when the call whose result is next failed
   */
  R next(long timeout, TimeUnit unit) throws TimeoutException, InterruptedException;
}
