/**
 * Tasks by name: {@link io.mp4j.protocol.task.TaskDescriptor} describes a lambda, method
 * reference or task object without serializing it, and {@link io.mp4j.protocol.task.ResolvedTask}
 * finds the code again on the receiving side's classpath. Not for users.
 */
package io.mp4j.protocol.task;
