package dev.leanode.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import org.junit.jupiter.api.Test;

class LeaderElectionProducerTest {

  @Test
  void offMeansNoConfiguration() {
    assertThat(LeaderElectionProducer.create(false, "leanode-operator-lease", "leanode-system"))
        .isNull();
  }

  @Test
  void leaseInThePodsNamespace() {
    LeaderElectionConfiguration c =
        LeaderElectionProducer.create(true, "leanode-operator-lease", "leanode-system");
    assertThat(c.getLeaseName()).isEqualTo("leanode-operator-lease");
    assertThat(c.getLeaseNamespace()).hasValue("leanode-system");
  }

  @Test
  void withoutPodNamespaceJosdkUsesTheClientsNamespace() {
    assertThat(LeaderElectionProducer.create(true, "l", "").getLeaseNamespace()).isEmpty();
    assertThat(LeaderElectionProducer.create(true, "l", null).getLeaseNamespace()).isEmpty();
  }
}
