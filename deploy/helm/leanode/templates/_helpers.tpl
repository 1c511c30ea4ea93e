{{/* Chart name, overridable. */}}
{{- define "leanode.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name used for every object; "leanode" for a release named leanode. */}}
{{- define "leanode.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "leanode.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "leanode.selectorLabels" -}}
app.kubernetes.io/name: {{ include "leanode.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "leanode.labels" -}}
helm.sh/chart: {{ include "leanode.chart" . }}
{{ include "leanode.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: leanode
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "leanode.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "leanode.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create=false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag or repository@digest; the tag defaults to the chart's appVersion. */}}
{{- define "leanode.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Comma-separated watch list for QOSDK; JOSDK_ALL_NAMESPACES (JOSDK Constants.WATCH_ALL_NAMESPACES) when empty. */}}
{{- define "leanode.watchNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- join "," (uniq .Values.watchNamespaces) }}
{{- else -}}
JOSDK_ALL_NAMESPACES
{{- end }}
{{- end }}

{{/* Mount path of the extra CA bundle inside the operator pod. */}}
{{- define "leanode.caBundlePath" -}}
/etc/leanode/ca/ca.crt
{{- end }}

{{/*
Rules for the namespaces the operator watches: exactly the API calls the operator makes
(see docs/helm.md "RBAC"). Used by the ClusterRole (all namespaces) or by a Role per
watched namespace. The chart's tests compare these with the operator's generated RBAC.
*/}}
{{- define "leanode.watchRules" -}}
# The primary resource: informer (get/list/watch), finalizer and metadata updates (patch/update).
- apiGroups: ["leanode.dev"]
  resources: ["nodeappimages"]
  verbs: ["get", "list", "watch", "patch", "update"]
# Status is written once per reconcile.
- apiGroups: ["leanode.dev"]
  resources: ["nodeappimages/status"]
  verbs: ["patch", "update"]
# Needed when the operator sets ownerReferences with blockOwnerDeletion on its Jobs/ConfigMaps
# (OwnerReferencesPermissionEnforcement admission plugin).
- apiGroups: ["leanode.dev"]
  resources: ["nodeappimages/finalizers"]
  verbs: ["update"]
# Build Jobs: created per build input, observed, old ones deleted (keepJobs).
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete"]
# Build ConfigMaps (Dockerfile, inline sources, CA bundle).
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# Build pods: read-only, for the digest in the termination message and the log tail on failure.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
# Push and git Secrets: read-only (registry credentials to read the pushed image's size back).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
# Kubernetes Events on NodeAppImages (core/v1 Events, as the fabric8 client writes them).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}
