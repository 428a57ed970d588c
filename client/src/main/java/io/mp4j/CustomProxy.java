package io.mp4j;

import io.mp4j.protocol.Reply;
import io.mp4j.protocol.codec.Codec;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Calls an instance of a registered type held by the broker: each interface method becomes one
 * call of the instance's method with the same name and number of parameters, its result decoded
 * into the interface method's declared return type.
 */
final class CustomProxy implements InvocationHandler {
  private final SharedObject object;

  CustomProxy(SharedObject object) {
    this.object = object;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) {
    Object[] callArgs = args == null ? new Object[0] : args;
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "equals" -> proxy == callArgs[0];
        case "hashCode" -> System.identityHashCode(proxy);
        default -> "proxy to " + object.name + " (" + typeName() + ")";
      };
    }
    if (method.getName().equals("ref") && callArgs.length == 0) {
      return object.ref();
    }
    byte[] encodedArgs = SharedObject.encodeAll(Arrays.asList(callArgs));
    Reply reply = object.call("custom.call", packer -> {
      packer.packArrayHeader(2);
      packer.packString(method.getName());
      packer.packBinaryHeader(encodedArgs.length);
      packer.writePayload(encodedArgs);
    });
    if (method.getReturnType() == void.class) {
      return null;
    }
    Object result = object.decode(reply.payload(), Codec.reader(method.getGenericReturnType()),
        method.getGenericReturnType());
    if (result == null && method.getReturnType().isPrimitive()) {
      throw new EncodingException(typeName() + "." + method.getName() + " returned nothing for "
          + method.getReturnType());
    }
    return result;
  }

  private String typeName() {
    try (var in = io.mp4j.protocol.Wire.unpacker(object.info)) {
      return in.unpackString();
    } catch (java.io.IOException e) {
      return "registered type";
    }
  }
}
