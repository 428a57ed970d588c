package io.mp4j.broker;

/**
 * A snapshot of a broker's counters. Not for users: the client exposes what users need.
 *
 * @param workers worker processes connected now
 * @param clients client sessions connected now
 * @param queuedTasks tasks waiting for a worker
 * @param tasksInFlight tasks held by workers
 * @param tasksCompleted results forwarded to clients
 * @param tasksRequeued tasks given to another worker after their worker was lost
 * @param workersLost workers that died or stopped answering while connected
 * @param malformedDropped messages dropped because they could not be parsed
 * @param oversizedDropped messages dropped because they were over the size limit
 * @param unknownTypeDropped messages dropped because of an unknown or misplaced type
 * @param authFailures HELLOs refused for a wrong or missing authkey
 * @param queues shared queues held now
 */
public record BrokerStats(
    int workers, int clients, int queuedTasks, int tasksInFlight, long tasksCompleted,
    long tasksRequeued, long workersLost, long malformedDropped, long oversizedDropped,
    long unknownTypeDropped, long authFailures, int queues) {}
