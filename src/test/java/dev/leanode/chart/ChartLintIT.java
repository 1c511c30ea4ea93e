package dev.leanode.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** `helm lint --strict` on the chart, as a reviewer or CI would run it. */
class ChartLintIT {

  @Test
  void lintStrictPasses() {
    LintResult result = new Helm(ChartUnderTest.CHART).lint().strict().call();

    assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .as("strict lint: no warnings or errors")
        .noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }
}
