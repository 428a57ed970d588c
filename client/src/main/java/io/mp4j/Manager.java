package io.mp4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Shared state and synchronization served by a broker: Python's {@code Manager}. Its dicts,
 * lists, namespaces, values, arrays, queues, locks, semaphores, conditions, events, barriers and
 * instances of registered types are held by the broker and used through proxies from any
 * process on any host; passed to a Process or a Pool task of its {@link #context()}, a proxy
 * arrives as a working proxy to the same object.
 *
 * <pre>{@code
 * try (Manager manager = Manager.start()) {
 *   SharedDict<String, Integer> scores = manager.dict(String.class, Integer.class);
 *   Process process = manager.context().process(Game::play, scores);
 *   process.start();
 *   process.join();
 *   System.out.println(scores);
 * }
 * }</pre>
 *
 * <p>What a Manager makes without a name is deleted when the Manager closes; what it makes
 * through {@link #named(String)} stays in the broker for other programs until deleted.
 */
public final class Manager extends SharedObjects implements AutoCloseable {
  private final Context context;

  private Manager(Context context) {
    this.context = context;
  }

  /**
   * A Manager with its own broker embedded in this JVM on loopback: Python's
   * {@code Manager()}. Its context starts worker JVMs for the processes and pools made from it.
   *
   * @return the running Manager
   */
  public static Manager start() {
    return builder().start();
  }

  /**
   * A Manager served by a standalone broker: Python's {@code BaseManager(address, authkey)}
   * with {@code connect()}. Two programs connected to one broker share objects by name.
   *
   * @param address the broker's address, such as {@code tcp://broker-host:5555}
   * @param authkey the broker's authkey, or null when it has none
   * @return the connected Manager
   * @throws BrokerException when no broker answers at the address
   * @throws AuthenticationException when the broker refuses the authkey
   */
  public static Manager connect(String address, String authkey) {
    return new Manager(Context.connect(address, authkey));
  }

  /**
   * A builder for a Manager whose embedded broker holds instances of registered types.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The context of this Manager's broker: its processes and pools get working proxies.
   *
   * @return the context
   */
  public Context context() {
    return context;
  }

  @Override
  io.mp4j.protocol.BrokerChannel channel() {
    return context.channel();
  }

  /** Ends the Manager: its anonymous objects go, and an embedded broker stops. Idempotent. */
  @Override
  public void close() {
    context.close();
  }

  /** Registers types before an embedded Manager starts: Python's {@code BaseManager.register}. */
  public static final class Builder {
    private final Map<String, Class<?>> types = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Registers a public class under a name. {@link SharedObjects#create} makes an instance in
     * the broker and returns a proxy; each call runs on the broker's thread, one at a time, so
     * calls are atomic and should be quick. A standalone broker registers types with its
     * {@code --register NAME=CLASS} option, the class being on its classpath.
     *
     * @param typeName the name clients use
     * @param type the class, with a public constructor
     * @return this builder
     */
    public Builder register(String typeName, Class<?> type) {
      types.put(Objects.requireNonNull(typeName, "typeName"), Objects.requireNonNull(type,
          "type"));
      return this;
    }

    /**
     * Starts the Manager with its broker embedded in this JVM.
     *
     * @return the running Manager
     */
    public Manager start() {
      return new Manager(Context.local(types));
    }
  }
}
