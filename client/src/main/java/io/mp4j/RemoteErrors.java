package io.mp4j;

import io.mp4j.protocol.ErrorCode;
import io.mp4j.protocol.RemoteError;

/** Turns the protocol's error codes into the client's exceptions. */
final class RemoteErrors {
  private RemoteErrors() {}

  static Mp4jException toException(ErrorCode code, RemoteError error) {
    return switch (code) {
      case TASK_FAILED -> new RemoteTaskException(new RemoteTraceback(error));
      case TASK_NOT_RESOLVED, NOT_ALLOWED -> new TaskNotFoundException(error.message());
      case ENCODING -> new EncodingException(error.message());
      case WORKER_LOST -> new WorkerLostException(error.message());
      case AUTHENTICATION -> new AuthenticationException(error.message());
      default -> new BrokerException(error.message());
    };
  }
}
