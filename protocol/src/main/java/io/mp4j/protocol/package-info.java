/**
 * The mp4j wire protocol: message types ({@link io.mp4j.protocol.MessageType}), the frames each
 * message carries ({@link io.mp4j.protocol.TaskFrame}, {@link io.mp4j.protocol.ResultFrame},
 * {@link io.mp4j.protocol.Hello}), errors, and the {@link io.mp4j.protocol.Mailbox} through which
 * other threads reach an event loop. Start with {@code docs/protocol.md}. Not for users: public
 * only so that the broker, worker and client modules can share it.
 */
package io.mp4j.protocol;
