/**
 * The mp4j benchmark harness: it measures mp4j's pools (map throughput, apply latency, start-up
 * time, the prime-factor seed demo) next to Python's {@code multiprocessing} doing the same work
 * in the same run, driven through {@code bench/python/mp_bench.py}, and next to the limits that
 * bound each figure: a Java parallel stream in one JVM and a bare JeroMQ one-hop broker spawned
 * as child JVMs. {@link io.mp4j.bench.Main} runs them, prints a table and can write
 * {@code docs/benchmarks.md}.
 */
package io.mp4j.bench;
