package io.mp4j.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;

/** CPU time used by this JVM and by the processes it started, read from the system. */
final class CpuTime {
  private static final OperatingSystemMXBean SYSTEM =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private CpuTime() {}

  /** The CPU time this JVM has used so far, all its threads. */
  static long thisJvmNanos() {
    return SYSTEM.getProcessCpuTime();
  }

  /** The pids of every process this JVM started, and those started by them, running now. */
  static Set<Long> descendantPids() {
    return ProcessHandle.current().descendants().map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  /**
   * The CPU time used so far by the running processes this JVM started (and those they started)
   * whose pids are {@code counted}; in the system's clock ticks.
   */
  static long descendantsNanos(LongPredicate counted) {
    return ProcessHandle.current().descendants()
        .filter(child -> counted.test(child.pid()))
        .mapToLong(child -> child.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
        .sum();
  }
}
