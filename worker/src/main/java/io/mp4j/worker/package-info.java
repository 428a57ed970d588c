/**
 * Worker processes: {@link io.mp4j.worker.WorkerProcess} is one worker (an I/O thread and a task
 * thread), {@link io.mp4j.worker.TaskRunner} runs task frames, and
 * {@link io.mp4j.worker.WorkerSupervisor} spawns and replaces worker JVMs for a local pool and for
 * the {@code worker} daemon ({@link io.mp4j.worker.WorkerMain}). Not for users.
 */
package io.mp4j.worker;
