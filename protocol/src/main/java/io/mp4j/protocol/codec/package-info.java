/**
 * Values as msgpack: {@link io.mp4j.protocol.codec.Codec} writes any supported value and makes a
 * {@link io.mp4j.protocol.codec.ValueReader} for each declared Java type. Simple values go through
 * msgpack-core directly, the rest through Jackson's msgpack format. Not for users.
 */
package io.mp4j.protocol.codec;
