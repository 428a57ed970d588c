package io.mp4j.worker;

import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.RemoteError;
import io.mp4j.protocol.ResultFrame;
import io.mp4j.protocol.ResultFrame.ItemError;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.TaskFrame;
import io.mp4j.protocol.Wire;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.CodecException;
import io.mp4j.protocol.task.ResolvedTask;
import io.mp4j.protocol.task.TaskDescriptor;
import io.mp4j.protocol.task.TaskResolutionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageUnpacker;

/**
 * Runs task frames on the worker's task thread: resolves the function (cached by its encoded
 * descriptor), decodes each call's arguments into the declared types, calls it and encodes the
 * result. A failure of one call becomes an error entry for that call; the others go on.
 */
final class TaskRunner {
  private final Map<ByteBuffer, Object> resolved = new HashMap<>();
  private final List<String> allowedPackages;
  private final String workerName;

  TaskRunner(List<String> allowedPackages, String workerName) {
    this.allowedPackages = allowedPackages;
    this.workerName = workerName;
  }

  /** Runs every call of a task frame and returns its result frame. */
  ResultFrame run(byte[] frameBytes) {
    TaskFrame frame;
    try {
      frame = TaskFrame.decode(frameBytes);
    } catch (IOException e) {
      // The broker checked the frame's shape, so this is a broken client; answer nothing useful.
      return ResultFrame.failed(-1, 0, 1, ErrorCode.MALFORMED,
          RemoteError.plain(CodecException.class.getName(), e.getMessage()));
    }
    Object function = resolve(frame.function());
    if (function instanceof FailedResolution failure) {
      return ResultFrame.failed(frame.taskId(), frame.offset(), frame.count(), failure.code,
          failure.error);
    }
    ResolvedTask task = (ResolvedTask) function;
    List<ItemError> errors = new ArrayList<>(0);
    byte[] args = frame.args();
    try (MessageUnpacker in = Wire.unpacker(args);
        MessageBufferPacker out = Wire.packer(16 + 2 * args.length)) {
      int count = in.unpackArrayHeader();
      if (count != frame.count()) {
        throw new IOException("task holds " + count + " calls, expected " + frame.count());
      }
      out.packArrayHeader(count);
      Object[] callArgs = null;
      for (int i = 0; i < count; i++) {
        try {
          callArgs = task.readArguments(in, args, callArgs);
        } catch (IOException | RuntimeException e) {
          // The unpacker may have stopped inside this call's arguments, so the calls after it
          // cannot be read either: each gets the same error.
          RemoteError error = RemoteError.plain(CodecException.class.getName(),
              "cannot decode the arguments of " + task.descriptor().displayName() + " on "
                  + workerName + ": " + e.getMessage());
          for (int j = i; j < count; j++) {
            out.packNil();
            errors.add(new ItemError(j, ErrorCode.ENCODING, error));
          }
          break;
        }
        Object result;
        try {
          result = task.invoke(callArgs);
        } catch (Throwable e) {
          if (e instanceof VirtualMachineError error && !(e instanceof StackOverflowError)) {
            throw error;
          }
          out.packNil();
          errors.add(new ItemError(i, ErrorCode.TASK_FAILED, RemoteError.of(e)));
          continue;
        }
        try {
          Codec.write(out, result);
        } catch (CodecException e) {
          out.packNil();
          errors.add(new ItemError(i, ErrorCode.ENCODING, RemoteError.plain(
              CodecException.class.getName(),
              "the result of " + task.descriptor().displayName() + " cannot be sent: "
                  + e.getMessage())));
        }
      }
      return new ResultFrame(frame.taskId(), frame.offset(), count, Slice.of(out.toByteArray()),
          errors);
    } catch (IOException e) {
      return ResultFrame.failed(frame.taskId(), frame.offset(), frame.count(), ErrorCode.ENCODING,
          RemoteError.plain(CodecException.class.getName(),
              "malformed arguments for " + task.descriptor().displayName() + ": "
                  + e.getMessage()));
    }
  }

  /** Runs an initializer frame; returns null on success or the error to report. */
  RemoteError runInitializer(byte[] frameBytes) {
    ResultFrame result = run(frameBytes);
    if (result.errors().isEmpty()) {
      return null;
    }
    return result.errors().get(0).error();
  }

  private Object resolve(byte[] function) {
    ByteBuffer key = ByteBuffer.wrap(function);
    Object cached = resolved.get(key);
    if (cached != null) {
      return cached;
    }
    Object value;
    try {
      TaskDescriptor descriptor = TaskDescriptor.decode(function);
      if (!allowed(descriptor.className())) {
        value = new FailedResolution(ErrorCode.NOT_ALLOWED, RemoteError.plain(
            TaskResolutionException.class.getName(),
            "worker " + workerName + " runs only tasks from packages " + allowedPackages
                + "; " + descriptor.className() + " is not among them"));
      } else {
        value = ResolvedTask.resolve(descriptor, Thread.currentThread().getContextClassLoader());
      }
    } catch (TaskResolutionException | IOException e) {
      value = new FailedResolution(ErrorCode.TASK_NOT_RESOLVED, RemoteError.plain(
          TaskResolutionException.class.getName(), "on worker " + workerName + ": "
              + e.getMessage()));
    } catch (CodecException e) {
      value = new FailedResolution(ErrorCode.ENCODING, RemoteError.plain(
          CodecException.class.getName(), "on worker " + workerName + ": " + e.getMessage()));
    }
    if (resolved.size() > 10_000) {
      resolved.clear();
    }
    resolved.put(key, value);
    return value;
  }

  private boolean allowed(String className) {
    if (allowedPackages.isEmpty()) {
      return true;
    }
    for (String prefix : allowedPackages) {
      if (className.startsWith(prefix.endsWith(".") ? prefix : prefix + ".")) {
        return true;
      }
    }
    return false;
  }

  private record FailedResolution(ErrorCode code, RemoteError error) {}
}
