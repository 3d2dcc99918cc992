package io.keel.broker.raft;

import io.keel.raft.Message;
import java.util.List;

/**
 * Delivers Raft messages to other nodes. Best effort: Raft tolerates loss, so an implementation may
 * drop messages (full queue, peer down) but must never block the calling event loop.
 */
public interface MessageSender {
  void send(List<Message> messages);
}
