package dev.leanode.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a ServiceAccount may do according to rendered RBAC manifests (Roles, ClusterRoles and their
 * bindings), evaluated the way the API server's RBAC authorizer does: a ClusterRoleBinding grants
 * everywhere, a RoleBinding only in its namespace; rules are additive.
 *
 * <p>Used by the chart tests and by the operator ITs to check that every API call the running
 * operator made (as recorded by the mock API server) is allowed by the chart.
 */
public final class RbacRules {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** A rule and where it applies; namespace null = every namespace and cluster-scoped requests. */
  public record Grant(String namespace, PolicyRule rule) {}

  private final List<Grant> grants;

  private RbacRules(List<Grant> grants) {
    this.grants = List.copyOf(grants);
  }

  /**
   * The permissions that the rendered manifests give to ServiceAccounts (in practice: the
   * operator's). Only rules reachable through a binding count; an unbound Role grants nothing.
   */
  public static RbacRules fromRendered(String yaml) {
    List<HasMetadata> objects = parseAll(yaml);
    Map<String, ClusterRole> clusterRoles =
        objects.stream()
            .filter(ClusterRole.class::isInstance)
            .map(ClusterRole.class::cast)
            .collect(Collectors.toMap(r -> r.getMetadata().getName(), Function.identity()));
    Map<String, Role> roles =
        objects.stream()
            .filter(Role.class::isInstance)
            .map(Role.class::cast)
            .collect(
                Collectors.toMap(
                    r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(),
                    Function.identity()));
    List<Grant> grants = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o instanceof ClusterRoleBinding b && bindsServiceAccount(b.getSubjects())) {
        rulesOf(b.getRoleRef(), null, clusterRoles, roles)
            .forEach(r -> grants.add(new Grant(null, r)));
      } else if (o instanceof RoleBinding b && bindsServiceAccount(b.getSubjects())) {
        String ns = b.getMetadata().getNamespace();
        rulesOf(b.getRoleRef(), ns, clusterRoles, roles).forEach(r -> grants.add(new Grant(ns, r)));
      }
    }
    return new RbacRules(grants);
  }

  /** Every rule of every Role and ClusterRole in the manifests, bound or not. */
  public static List<PolicyRule> rulesOfAllRoles(String yaml, Set<String> excludedRoleNames) {
    List<PolicyRule> rules = new ArrayList<>();
    for (HasMetadata o : parseAll(yaml)) {
      if (excludedRoleNames.contains(o.getMetadata().getName())) {
        continue;
      }
      if (o instanceof ClusterRole r && r.getRules() != null) {
        rules.addAll(r.getRules());
      } else if (o instanceof Role r && r.getRules() != null) {
        rules.addAll(r.getRules());
      }
    }
    return rules;
  }

  /**
   * Whether {@code verb} on {@code apiGroup}/{@code resource} ("pods/log" for a subresource; "" is
   * the core group) is allowed in {@code namespace} (null: a cluster-wide request, e.g. a list or
   * watch across all namespaces) for a request that names no object (list, watch, create).
   */
  public boolean allows(String verb, String apiGroup, String resource, String namespace) {
    return allows(verb, apiGroup, resource, namespace, null);
  }

  /**
   * Like {@link #allows(String, String, String, String)}, for a request on the object {@code name}.
   */
  public boolean allows(
      String verb, String apiGroup, String resource, String namespace, String name) {
    return grants.stream()
        .anyMatch(
            g ->
                (g.namespace() == null || g.namespace().equals(namespace))
                    && matches(g.rule(), verb, apiGroup, resource, name));
  }

  public List<Grant> grants() {
    return grants;
  }

  /**
   * The grants as sorted "namespace|apiGroup|resource|verb[|resourceName]" lines (namespace "*" for
   * cluster-wide), for readable assertions.
   */
  public Set<String> describe() {
    Set<String> out = new TreeSet<>();
    for (Grant g : grants) {
      for (String line : triples(g.rule())) {
        out.add((g.namespace() == null ? "*" : g.namespace()) + "|" + line);
      }
    }
    return out;
  }

  /** A rule as "apiGroup|resource|verb[|resourceName]" lines. */
  public static Set<String> triples(PolicyRule rule) {
    Set<String> out = new TreeSet<>();
    List<String> names = rule.getResourceNames() == null ? List.of() : rule.getResourceNames();
    for (String group : nonNull(rule.getApiGroups())) {
      for (String resource : nonNull(rule.getResources())) {
        for (String verb : nonNull(rule.getVerbs())) {
          String base = group + "|" + resource + "|" + verb;
          if (names.isEmpty()) {
            out.add(base);
          } else {
            names.forEach(n -> out.add(base + "|" + n));
          }
        }
      }
    }
    return out;
  }

  private static boolean matches(
      PolicyRule rule, String verb, String apiGroup, String resource, String name) {
    boolean nameOk =
        rule.getResourceNames() == null
            || rule.getResourceNames().isEmpty()
            || (name != null && rule.getResourceNames().contains(name));
    return nameOk
        && containsOrStar(rule.getVerbs(), verb)
        && containsOrStar(rule.getApiGroups(), Objects.requireNonNullElse(apiGroup, ""))
        && containsOrStar(rule.getResources(), resource);
  }

  private static boolean containsOrStar(List<String> values, String value) {
    return values != null && (values.contains("*") || values.contains(value));
  }

  private static List<String> nonNull(List<String> values) {
    return values == null ? List.of() : values;
  }

  private static boolean bindsServiceAccount(List<Subject> subjects) {
    return subjects != null
        && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind()));
  }

  private static List<PolicyRule> rulesOf(
      RoleRef ref,
      String namespace,
      Map<String, ClusterRole> clusterRoles,
      Map<String, Role> roles) {
    if ("ClusterRole".equals(ref.getKind())) {
      ClusterRole role = clusterRoles.get(ref.getName());
      if (role == null) {
        throw new IllegalArgumentException(
            "binding refers to missing ClusterRole " + ref.getName());
      }
      return nonNullRules(role.getRules());
    }
    Role role = roles.get(namespace + "/" + ref.getName());
    if (role == null) {
      throw new IllegalArgumentException(
          "RoleBinding in " + namespace + " refers to missing Role " + ref.getName());
    }
    return nonNullRules(role.getRules());
  }

  private static List<PolicyRule> nonNullRules(List<PolicyRule> rules) {
    return rules == null ? List.of() : rules;
  }

  /** All objects of a multi-document YAML stream (comments and empty documents skipped). */
  static List<HasMetadata> parseAll(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
        continue;
      }
      out.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
    }
    return out;
  }
}
