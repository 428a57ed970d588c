package io.mp4j.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The requests an event loop sent and has not heard the end of. Owned by the loop thread. Not for
 * users.
 *
 * <p>A quiet request (a put to a queue without a size limit, a lock's release) gets a reply only
 * when it fails: the broker handles a connection's requests in order and never parks a quiet one,
 * so any reply to a later request shows that it succeeded, and completes it then.
 */
public final class PendingRequests {
  private record Pending(CompletableFuture<Reply> reply, long order) {}

  private final Map<Long, Pending> byId = new HashMap<>();
  /** Quiet requests not yet settled, in the order sent: {order, requestId}. */
  private final ArrayDeque<long[]> quiet = new ArrayDeque<>();
  private long sent;

  /** Records a request as it goes out. */
  public void sent(Request request, CompletableFuture<Reply> reply) {
    long order = ++sent;
    byId.put(request.requestId(), new Pending(reply, order));
    if (request.quiet()) {
      quiet.addLast(new long[] {order, request.requestId()});
    }
  }

  /** Completes the request a reply answers, and every quiet request sent before it. */
  public void answered(Reply reply) {
    Pending pending = byId.remove(reply.requestId());
    if (pending == null) {
      return;
    }
    pending.reply().complete(reply);
    while (!quiet.isEmpty() && quiet.peekFirst()[0] < pending.order()) {
      long id = quiet.pollFirst()[1];
      Pending earlier = byId.remove(id);
      if (earlier != null) {
        earlier.reply().complete(Reply.ok(id));
      }
    }
  }

  /** Whether no request waits for its reply. */
  public boolean isEmpty() {
    return byId.isEmpty();
  }

  /** Fails every request still waiting, quiet ones too: whether they took effect is unknown. */
  public void failAll(Throwable cause) {
    List<Pending> waiting = new ArrayList<>(byId.values());
    byId.clear();
    quiet.clear();
    for (Pending pending : waiting) {
      pending.reply().completeExceptionally(cause);
    }
  }
}
