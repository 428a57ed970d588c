/**
 * Runnable examples, starting with the seed demo {@link io.mp4j.examples.PrimeFactors}; run one
 * with {@code java -jar examples/target/mp4j-examples.jar NAME}.
 */
package io.mp4j.examples;
