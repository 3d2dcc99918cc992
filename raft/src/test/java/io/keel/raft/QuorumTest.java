package io.keel.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuorumTest {

  private static Set<Integer> voters(int n) {
    return IntStream.rangeClosed(1, n).boxed().collect(Collectors.toSet());
  }

  /** matches: one value per voter 1..n, space separated. */
  @ParameterizedTest(name = "matches [{0}] -> {1}")
  @CsvSource({
    "'', 0",
    "5, 5",
    "5 3, 3",
    "5 3 1, 3",
    "1 3 5, 3",
    "7 7 0, 7",
    "0 0 9, 0",
    "4 8 2 6, 4",
    "9 9 1 1, 1",
    "1 2 3 4 5, 3",
    "10 10 10 0 0, 10",
    "10 10 0 0 0, 0",
  })
  void majorityValueIsTheHighestValueAMajorityReached(String matches, long expected) {
    long[] values =
        matches.isBlank()
            ? new long[0]
            : java.util.Arrays.stream(matches.trim().split(" "))
                .mapToLong(Long::parseLong)
                .toArray();
    long actual = Quorum.majorityValue(voters(values.length), id -> values[id - 1]);
    assertEquals(expected, actual);
  }

  /** votes: one of y (granted), n (rejected), - (missing) per voter 1..n. */
  @ParameterizedTest(name = "votes {0} -> {1}")
  @CsvSource({
    "y, WON",
    "-, PENDING",
    "n, LOST",
    "y-, PENDING",
    "yy, WON",
    "yn, LOST",
    "y--, PENDING",
    "yy-, WON",
    "yn-, PENDING",
    "ynn, LOST",
    "yy--, PENDING",
    "yyy-, WON",
    "yynn, LOST",
    "yyn--, PENDING",
    "yyy--, WON",
    "ynnn-, LOST",
  })
  void tallyDecidesOnlyWhenTheOutcomeIsCertain(String votes, Quorum.VoteResult expected) {
    Map<Integer, Boolean> cast = new HashMap<>();
    for (int i = 0; i < votes.length(); i++) {
      char c = votes.charAt(i);
      if (c != '-') {
        cast.put(i + 1, c == 'y');
      }
    }
    cast.put(99, true);
    assertEquals(expected, Quorum.tally(voters(votes.length()), cast));
  }

  @ParameterizedTest(name = "{0} active of {1} voters -> {2}")
  @CsvSource({
    "1, 1, true",
    "1, 2, false",
    "2, 3, true",
    "1, 3, false",
    "3, 5, true",
    "2, 5, false"
  })
  void isQuorumNeedsAStrictMajority(int active, int n, boolean expected) {
    assertEquals(
        expected,
        Quorum.isQuorum(
            voters(n), IntStream.rangeClosed(1, active).boxed().collect(Collectors.toSet())));
  }
}
