package io.mp4j.broker;

/** A connected client or worker, known by its ROUTER identity. */
abstract class Peer {
  final byte[] identity;
  final String name;
  long lastReceived;
  long lastSent;
  /** Replies to send at the end of the current turn. */
  final java.util.List<byte[]> replies = new java.util.ArrayList<>();

  Peer(byte[] identity, String name, long now) {
    this.identity = identity;
    this.name = name;
    this.lastReceived = now;
    this.lastSent = now;
  }
}
