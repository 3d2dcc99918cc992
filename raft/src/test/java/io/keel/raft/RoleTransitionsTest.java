package io.keel.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoleTransitionsTest {

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource({
    "FOLLOWER, FOLLOWER, true",
    "FOLLOWER, PRE_CANDIDATE, true",
    "FOLLOWER, CANDIDATE, true",
    "FOLLOWER, LEADER, false",
    "PRE_CANDIDATE, FOLLOWER, true",
    "PRE_CANDIDATE, PRE_CANDIDATE, true",
    "PRE_CANDIDATE, CANDIDATE, true",
    "PRE_CANDIDATE, LEADER, false",
    "CANDIDATE, FOLLOWER, true",
    "CANDIDATE, PRE_CANDIDATE, true",
    "CANDIDATE, CANDIDATE, true",
    "CANDIDATE, LEADER, true",
    "LEADER, FOLLOWER, true",
    "LEADER, PRE_CANDIDATE, false",
    "LEADER, CANDIDATE, false",
    "LEADER, LEADER, false",
  })
  void tableMatchesTheJavadoc(RaftRole from, RaftRole to, boolean legal) {
    assertEquals(legal, RoleTransitions.isLegal(from, to));
    if (!legal) {
      assertThrows(IllegalStateException.class, () -> RoleTransitions.check(from, to));
    }
  }
}
