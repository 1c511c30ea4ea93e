package dev.leanode.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leanode.api.v1alpha1.NodeAppImageStatus;
import dev.leanode.api.v1alpha1.NodeAppImageStatus.OutputStatus;
import dev.leanode.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SizeBudgetTest {
  static final Instant T0 = Instant.parse("2026-12-02T07:00:00Z");

  static OutputStatus out(long size) {
    var o = new OutputStatus();
    o.setDigest("sha256:x");
    o.setSizeBytes(size);
    return o;
  }

  @Test
  void largerThanTheBudgetIsFalseWithSizeBudgetExceeded() {
    Condition c =
        SizeBudget.condition(List.of(), 80L * 1024 * 1024, "80Mi", out(90_000_000L), 3, T0)
            .orElseThrow();
    assertThat(c.getType()).isEqualTo("SizeWithinBudget");
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("SizeBudgetExceeded");
    assertThat(c.getMessage()).contains("85.8 MiB").contains("80Mi").contains("over");
    assertThat(c.getObservedGeneration()).isEqualTo(3L);
  }

  @Test
  void atOrBelowTheBudgetIsTrueAndKeepsItsTransitionTime() {
    Condition first = SizeBudget.condition(List.of(), 100L, "100", out(100L), 1, T0).orElseThrow();
    assertThat(first.getStatus()).isEqualTo("True");
    assertThat(first.getReason()).isEqualTo("WithinBudget");
    Condition later =
        SizeBudget.condition(List.of(first), 100L, "100", out(99L), 2, T0.plusSeconds(60))
            .orElseThrow();
    assertThat(later.getLastTransitionTime()).isEqualTo(first.getLastTransitionTime());
    Condition flipped =
        SizeBudget.condition(List.of(later), 100L, "100", out(101L), 3, T0.plusSeconds(120))
            .orElseThrow();
    assertThat(flipped.getLastTransitionTime()).isEqualTo("2026-12-02T07:02:00Z");
  }

  @Test
  void noBudgetOrNoSizeNoCondition() {
    assertThat(SizeBudget.condition(List.of(), null, null, out(1L), 1, T0)).isEmpty();
    assertThat(SizeBudget.condition(List.of(), 5L, "5", new OutputStatus(), 1, T0)).isEmpty();
    assertThat(SizeBudget.condition(List.of(), 5L, "5", null, 1, T0)).isEmpty();
  }

  @Test
  void readyIsUntouchedByTheBudget() {
    var agg = new StatusAggregator(new NodeAppImageStatus());
    agg.next().setOutput(out(200L));
    agg.outcome(Reason.BUILD_SUCCEEDED, "ok", null);
    agg.sizeBudget("100", 100L);
    NodeAppImageStatus s = agg.build(1, T0);
    assertThat(s.condition("Ready").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(s.condition("SizeWithinBudget").orElseThrow().getStatus()).isEqualTo("False");
  }

  @Test
  void budgetsInBytes() {
    assertThat(SpecValidator.sizeBudgetBytes("80Mi")).isEqualTo(83_886_080L);
    assertThat(SpecValidator.sizeBudgetBytes("100M")).isEqualTo(100_000_000L);
    assertThat(SpecValidator.sizeBudgetBytes("1.5Ki")).isEqualTo(1536L);
    assertThat(SpecValidator.sizeBudgetProblem("80Mi")).isNull();
    assertThat(SpecValidator.sizeBudgetProblem("80m")).contains("milli");
    assertThat(SpecValidator.sizeBudgetProblem("0")).contains("at least 1 byte");
    assertThat(SpecValidator.sizeBudgetProblem("eighty")).contains("quantity");
    assertThat(SpecValidator.sizeBudgetProblem("-1Mi")).contains("quantity");
  }
}
