package io.mp4j;

/** The pool contract on local worker processes. */
class ProcessPoolTest extends PoolContractTest {
  @Override
  Pool newPool() {
    return Pool.create(2);
  }
}
