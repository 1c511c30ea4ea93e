package dev.leanode.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BuildNamesTest {
  static final String HASH = "0123456789abcdef".repeat(4);
  static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  @Test
  void shortNamesAreKept() {
    assertThat(BuildNames.jobName("hello", HASH)).isEqualTo("hello-0123456789");
  }

  @Test
  void longAndDottedNamesBecomeLabels() {
    String name = "my.app." + "x".repeat(246);
    assertThat(name).hasSize(253);
    String job = BuildNames.jobName(name, HASH);
    assertThat(job).hasSize(63).matches(DNS_LABEL).startsWith("my-app-xxx").endsWith("-0123456789");
  }

  @Test
  void truncationNeverLeavesADashBeforeTheHash() {
    String name = "a".repeat(51) + "-b";
    assertThat(BuildNames.jobName(name, HASH)).isEqualTo("a".repeat(51) + "-0123456789");
  }

  @Test
  void hashMustBeHex() {
    assertThatThrownBy(() -> BuildNames.jobName("a", "xyz"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resourceLabelValue() {
    assertThat(Labels.resourceValue("hello")).isEqualTo("hello");
    String longName = "a".repeat(100);
    assertThat(Labels.resourceValue(longName))
        .hasSizeLessThanOrEqualTo(63)
        .isEqualTo(Labels.resourceValue(longName))
        .isNotEqualTo(Labels.resourceValue("a".repeat(101)));
  }
}
