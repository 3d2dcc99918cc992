package io.keel.broker.controller;

/**
 * A registered node.
 *
 * @param nodeId the node's id
 * @param clientAddress where clients reach it ({@code host:port})
 * @param internalAddress where other nodes reach it
 * @param online registered and heartbeating; offline (fenced) nodes get no new replicas or leaders
 */
public record BrokerInfo(int nodeId, String clientAddress, String internalAddress, boolean online) {

  public BrokerInfo withOnline(boolean value) {
    return new BrokerInfo(nodeId, clientAddress, internalAddress, value);
  }
}
