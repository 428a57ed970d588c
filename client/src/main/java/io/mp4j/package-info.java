/**
 * mp4j's public API: Python's multiprocessing for the JVM. Start with {@link io.mp4j.Pool};
 * tasks are {@link io.mp4j.Task} types, asynchronous results {@link io.mp4j.AsyncResult}, and
 * failures the subclasses of {@link io.mp4j.Mp4jException}. Everything else in this package is
 * package-private: the backends that run batches on worker processes through a broker
 * ({@code RemoteBackend}, {@code ClientConnection}, {@code LocalCluster}) or on threads
 * ({@code ThreadBackend}).
 */
package io.mp4j;
