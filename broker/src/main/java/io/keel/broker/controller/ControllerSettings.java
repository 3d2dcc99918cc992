package io.keel.broker.controller;

import java.time.Duration;

/**
 * Settings of the controller quorum.
 *
 * @param nodeId this node
 * @param clusterId nodes of another cluster are refused
 * @param sessionTimeout a node not heard from for this long is marked offline
 * @param balanceInterval how often leadership is moved back to preferred leaders
 * @param defaultPartitions partitions of a topic created without a count
 * @param defaultReplicationFactor replicas of a topic created without a factor
 */
public record ControllerSettings(
    int nodeId,
    String clusterId,
    Duration sessionTimeout,
    Duration balanceInterval,
    int defaultPartitions,
    int defaultReplicationFactor) {}
