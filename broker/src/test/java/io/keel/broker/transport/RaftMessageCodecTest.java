package io.keel.broker.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keel.proto.RaftBatch;
import io.keel.raft.Entry;
import io.keel.raft.EntryType;
import io.keel.raft.Membership;
import io.keel.raft.Message;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RaftMessageCodecTest {
  private static final List<Message> ONE_OF_EACH =
      List.of(
          new Message.VoteRequest(7, 1, 2, 5, true, 40, 4, true),
          new Message.VoteResponse(7, 1, 2, 5, false, true),
          new Message.AppendRequest(
              7,
              1,
              2,
              5,
              10,
              4,
              List.of(
                  new Entry(5, 11, EntryType.NORMAL, new byte[] {1, 2, 3}),
                  new Entry(5, 12, EntryType.NOOP, new byte[0]),
                  new Entry(5, 13, EntryType.CONFIG, new byte[] {9})),
              9),
          new Message.AppendResponse(7, 1, 2, 5, false, 0, 8, 3, 20, 12),
          new Message.HeartbeatRequest(8, 1, 2, 6, 100, 5, 42),
          new Message.HeartbeatResponse(9, 1, 2, 6, 42),
          new Message.SnapshotChunk(
              7, 1, 2, 5, 30, 4, new Membership(Set.of(1, 2), Set.of(3)), 64, new byte[] {7}, true),
          new Message.SnapshotResponse(7, 1, 2, 5, 30, 65, true, false),
          new Message.TimeoutNow(7, 1, 2, 5));

  @Test
  void everyMessageTypeSurvivesAFrame() {
    RaftBatch.Builder frame = RaftBatch.newBuilder().setFrom(1).setTo(2).setClusterId("c");
    ONE_OF_EACH.forEach(m -> RaftMessageCodec.encode(m, frame));
    RaftBatch sent = frame.build();

    List<Message> decoded = RaftMessageCodec.decode(sent);

    assertEquals(ONE_OF_EACH.size(), decoded.size());
    // Heartbeats travel in their own coalesced lists; everything else keeps its order.
    assertEquals(2, sent.getHeartbeatsCount() + sent.getHeartbeatResponsesCount());
    RaftBatch.Builder again = RaftBatch.newBuilder().setFrom(1).setTo(2).setClusterId("c");
    decoded.forEach(m -> RaftMessageCodec.encode(m, again));
    assertArrayEquals(sent.toByteArray(), again.build().toByteArray());
    for (Message m : decoded) {
      Message original =
          ONE_OF_EACH.stream().filter(o -> o.getClass() == m.getClass()).findFirst().orElseThrow();
      assertEquals(original.groupId(), m.groupId());
      assertEquals(original.term(), m.term());
      assertEquals(1, m.from());
      assertEquals(2, m.to());
    }
  }

  @Test
  void recordsWithoutArraysDecodeEqual() {
    RaftBatch.Builder frame = RaftBatch.newBuilder().setFrom(1).setTo(2);
    List<Message> plain =
        ONE_OF_EACH.stream()
            .filter(
                m -> !(m instanceof Message.AppendRequest) && !(m instanceof Message.SnapshotChunk))
            .toList();
    plain.forEach(m -> RaftMessageCodec.encode(m, frame));
    List<Message> decoded = RaftMessageCodec.decode(frame.build());
    assertEquals(Set.copyOf(plain), Set.copyOf(decoded));
  }
}
