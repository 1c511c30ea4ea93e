package dev.leanode.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Leader election for the operator: one active replica holds a Lease, the others wait.
 *
 * <p>The Quarkus Operator SDK looks up a {@link LeaderElectionConfiguration} bean when it builds
 * the operator's configuration, in the profiles listed by {@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles} (default: {@code prod}). A {@code
 * null} from this {@link Dependent} producer means "no leader election", so the Helm value {@code
 * leaderElection.enabled} can switch it at deploy time.
 */
@Singleton
public class LeaderElectionProducer {
  private static final Logger LOG = Logger.getLogger(LeaderElectionProducer.class);

  @Produces
  @Dependent
  @Unremovable // looked up programmatically by QOSDK, never injected
  LeaderElectionConfiguration leaderElectionConfiguration(LeanodeConfig config) {
    LeanodeConfig.LeaderElection le = config.leaderElection();
    return create(le.enabled(), le.leaseName(), le.leaseNamespace().orElse(null));
  }

  /** The configuration for these settings, or null when leader election is off. */
  static LeaderElectionConfiguration create(
      boolean enabled, String leaseName, String leaseNamespace) {
    if (!enabled) {
      LOG.info("Leader election is off: run a single operator replica");
      return null;
    }
    String namespace = leaseNamespace == null || leaseNamespace.isBlank() ? null : leaseNamespace;
    LOG.infof(
        "Leader election on: Lease %s in namespace %s",
        leaseName, namespace == null ? "<client namespace>" : namespace);
    // JOSDK falls back to the client's namespace (in a pod: the service account's) when null
    return new LeaderElectionConfiguration(leaseName, namespace);
  }
}
