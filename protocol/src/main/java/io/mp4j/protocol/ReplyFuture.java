package io.mp4j.protocol;

import java.util.concurrent.CompletableFuture;

/** The future reply of one REQUEST, with the request's number. Not for users. */
public final class ReplyFuture extends CompletableFuture<Reply> {
  private final long requestId;

  /** A future for the request with this number. */
  public ReplyFuture(long requestId) {
    this.requestId = requestId;
  }

  /** The number of the request this future answers. */
  public long requestId() {
    return requestId;
  }
}
