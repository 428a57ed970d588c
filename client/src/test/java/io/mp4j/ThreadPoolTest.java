package io.mp4j;

/** The pool contract on threads in this JVM. */
class ThreadPoolTest extends PoolContractTest {
  @Override
  Pool newPool() {
    return Pool.threads(2);
  }
}
