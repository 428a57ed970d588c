/**
 * The broker: one thread, one loop, no locks. {@link io.mp4j.broker.BrokerLoop} holds the design
 * (read its class comment first); {@link io.mp4j.broker.Broker} is the handle other threads use,
 * and {@link io.mp4j.broker.BrokerMain} the standalone command. Not for users: a local
 * {@code Pool} embeds a broker, and clusters run the {@code broker} command.
 */
package io.mp4j.broker;
