package io.mp4j.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageUnpacker;

/**
 * The body of a REQUEST: one operation on a shared object held by the broker. Not for users.
 *
 * @param requestId the sender's number for the request; the REPLY carries it back
 * @param op the operation, such as {@code queue.put}
 * @param name the shared object's name
 * @param args the operation's arguments, a msgpack array; a decoded request's lie in the frame
 *     it came in, which is not copied
 * @param quiet whether the broker answers only a failure (see {@link PendingRequests})
 */
public record Request(long requestId, String op, String name, Slice args, boolean quiet) {

  /** A request of arguments in an array of their own. */
  public Request(long requestId, String op, String name, byte[] args, boolean quiet) {
    this(requestId, op, name, Slice.of(args), quiet);
  }

  /** A request that is always answered. */
  public Request(long requestId, String op, String name, byte[] args) {
    this(requestId, op, name, args, false);
  }

  /** Encodes this request's body frame. */
  public byte[] encode() {
    int size = 1 + Wire.integerSize(requestId) + Wire.stringSize(op) + Wire.stringSize(name)
        + Wire.binarySize(args.length()) + (quiet ? 1 : 0);
    return Wire.packExact(size, packer -> {
      packer.packArrayHeader(quiet ? 5 : 4);
      packer.packLong(requestId);
      packer.packString(op);
      packer.packString(name);
      packer.packBinaryHeader(args.length());
      packer.writePayload(args.array(), args.offset(), args.length());
      if (quiet) {
        packer.packBoolean(true);
      }
    });
  }

  /**
   * Decodes a body frame written by {@link #encode}.
   *
   * @throws IOException when the frame is not a REQUEST body
   */
  public static Request decode(byte[] frame) throws IOException {
    List<Request> requests = decodeAll(frame);
    if (requests.size() != 1) {
      throw new IOException("a REQUEST body holds one request, found " + requests.size());
    }
    return requests.get(0);
  }

  /**
   * Decodes a body frame that holds one or more requests, one after the other: a busy sender
   * joins them, as a ZeroMQ frame costs more than the bytes it carries.
   *
   * @throws IOException when the frame is not a run of REQUEST bodies; the requests before the
   *     malformed one are lost with it, as the frame cannot be trusted
   */
  public static List<Request> decodeAll(byte[] frame) throws IOException {
    List<Request> requests = new ArrayList<>(1);
    Slice whole = Slice.of(frame);
    try (MessageUnpacker unpacker = Wire.unpacker(frame)) {
      do {
        int fields = unpacker.unpackArrayHeader();
        if (fields != 4 && fields != 5) {
          throw new IOException("a REQUEST body is an array of 4 or 5");
        }
        long requestId = unpacker.unpackLong();
        String op = unpacker.unpackString();
        String name = unpacker.unpackString();
        Slice args = Wire.readSlice(unpacker, whole);
        boolean quiet = fields == 5 && unpacker.unpackBoolean();
        requests.add(new Request(requestId, op, name, args, quiet));
      } while (unpacker.hasNext());
      return requests;
    } catch (RuntimeException e) {
      throw new IOException("malformed REQUEST: " + e.getMessage(), e);
    }
  }
}
