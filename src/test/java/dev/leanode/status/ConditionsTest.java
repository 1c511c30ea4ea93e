package dev.leanode.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionsTest {
  static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
  static final Instant T1 = Instant.parse("2026-11-28T10:05:00Z");

  @ParameterizedTest(name = "{0} -> Ready={1}, Building={2}")
  @CsvSource({
    "PENDING,False,False",
    "INVALID_SPEC,False,False",
    "SECRET_NOT_FOUND,False,False",
    "SOURCE_UNAVAILABLE,False,False",
    "QUEUED,False,False",
    "BUILD_RUNNING,False,True",
    "BUILD_SUCCEEDED,True,False",
    "BUILD_FAILED,False,False",
    "BUILD_TIMED_OUT,False,False",
    "SIZE_UNKNOWN,False,False"
  })
  void truthTable(Reason reason, String ready, String building) {
    List<Condition> c = Conditions.next(List.of(), reason, null, 3, T0);
    assertThat(c).extracting(Condition::getType).containsExactly("Ready", "Building");
    assertThat(c.get(0).getStatus()).isEqualTo(ready);
    assertThat(c.get(1).getStatus()).isEqualTo(building);
    assertThat(c)
        .allSatisfy(
            x -> {
              assertThat(x.getReason()).isEqualTo(reason.reason()).matches("[A-Z][A-Za-z]+");
              assertThat(x.getMessage()).isEqualTo(reason.defaultMessage());
              assertThat(x.getObservedGeneration()).isEqualTo(3L);
              assertThat(x.getLastTransitionTime()).isEqualTo("2026-11-28T10:00:00Z");
            });
  }

  @Test
  void transitionTimeMovesOnlyWhenTheStatusFlips() {
    List<Condition> running = Conditions.next(List.of(), Reason.BUILD_RUNNING, "a", 1, T0);
    // Ready stays False (BuildRunning -> BuildFailed): its time stays; Building flips True -> False
    List<Condition> failed = Conditions.next(running, Reason.BUILD_FAILED, "boom", 1, T1);
    assertThat(failed.get(0).getLastTransitionTime()).isEqualTo("2026-11-28T10:00:00Z");
    assertThat(failed.get(0).getReason()).isEqualTo("BuildFailed");
    assertThat(failed.get(0).getMessage()).isEqualTo("boom");
    assertThat(failed.get(1).getLastTransitionTime()).isEqualTo("2026-11-28T10:05:00Z");
  }

  @Test
  void longMessagesAreTruncated() {
    String huge = "x".repeat(10_000);
    List<Condition> c = Conditions.next(List.of(), Reason.BUILD_FAILED, huge, 1, T0);
    assertThat(c.get(0).getMessage()).hasSize(Conditions.MAX_MESSAGE).endsWith("…");
  }

  @Test
  void everyReasonIsOneCamelCaseWordAndTheContractOnesExist() {
    assertThat(Reason.values())
        .extracting(Reason::reason)
        .allMatch(r -> r.matches("[A-Z][a-zA-Z]+"));
    assertThat(Reason.values())
        .extracting(Reason::reason)
        .contains(
            "Pending",
            "InvalidSpec",
            "BuildRunning",
            "BuildSucceeded",
            "BuildFailed",
            "BuildTimedOut",
            "SizeUnknown",
            "SourceUnavailable");
  }
}
