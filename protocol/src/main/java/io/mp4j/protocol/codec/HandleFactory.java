package io.mp4j.protocol.codec;

import io.mp4j.protocol.BrokerChannel;
import java.lang.reflect.Type;

/**
 * Rebuilds shared objects of one kind from their references; found with {@link
 * java.util.ServiceLoader}, so the module that defines the objects provides it. Not for users.
 */
public interface HandleFactory {
  /** The kind this factory rebuilds, as in {@link SharedHandle.Ref#kind()}. */
  String kind();

  /**
   * A working object for the reference, bound to the channel.
   *
   * @param ref the reference that arrived
   * @param declaredType the type the receiving code declares, generic where it is
   * @param channel the receiving side's channel to the broker
   * @return the object
   */
  Object create(SharedHandle.Ref ref, Type declaredType, BrokerChannel channel);
}
