package io.mp4j;

import io.mp4j.protocol.TaskFrame;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.task.ResolvedTask;
import io.mp4j.protocol.task.TaskDescriptor;
import org.msgpack.core.MessageUnpacker;

/**
 * What a worker runs for a {@link Process}: reports its pid, runs the process's task, and turns
 * the outcome into an exit code as Python does (0 on return, 1 on an exception, whose stack trace
 * goes to standard error, or the code given to {@link Process#exit}).
 */
final class ProcessRunner {
  private ProcessRunner() {}

  /** Thrown by {@link Process#exit} and caught here; an Error so that user code lets it pass. */
  static final class Exit extends Error {
    private static final long serialVersionUID = 1L;
    final int code;

    Exit(int code) {
      super(null, null, false, false);
      this.code = code;
    }
  }

  static int run(Queue<Long> control, String name, byte[] taskFrame) throws Exception {
    Process.current = name;
    control.put(ProcessHandle.current().pid());
    try {
      TaskFrame frame = TaskFrame.decode(taskFrame);
      ResolvedTask task = ResolvedTask.resolve(TaskDescriptor.decode(frame.function()),
          Thread.currentThread().getContextClassLoader());
      byte[] args = frame.args();
      Object[] callArgs;
      try (MessageUnpacker in = Wire.unpacker(args)) {
        in.unpackArrayHeader();
        callArgs = task.readArguments(in, args, null);
      }
      task.invoke(callArgs);
      return 0;
    } catch (Exit exit) {
      return exit.code;
    } catch (Throwable error) {
      System.err.println("Process " + name + " (pid " + ProcessHandle.current().pid()
          + ") ended with an exception:");
      error.printStackTrace();
      return 1;
    } finally {
      System.out.flush();
      System.err.flush();
      Process.current = null;
    }
  }
}
