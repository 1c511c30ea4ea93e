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
# The primary resource: the informer only (no finalizer: the operator never writes the spec or
# metadata of a NodeAppImage).
- apiGroups: ["leanode.dev"]
  resources: ["nodeappimages"]
  verbs: ["get", "list", "watch"]
# Status, written once per reconcile (server-side apply is off: JSON Patch on /status).
- apiGroups: ["leanode.dev"]
  resources: ["nodeappimages/status"]
  verbs: ["patch", "update"]
# Build Jobs and ConfigMaps carry ownerReferences with blockOwnerDeletion, which the
# OwnerReferencesPermissionEnforcement admission plugin only allows with this.
- apiGroups: ["leanode.dev"]
  resources: ["nodeappimages/finalizers"]
  verbs: ["update"]
# Build Jobs: informer, one created per build input, old ones deleted (keepJobs).
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete"]
# Build ConfigMaps (Dockerfile, inline sources, CA bundle): created and deleted with their Job,
# never modified.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "delete"]
# Build pods: informer, for the digest in the termination message and failure reasons;
# create/delete for the short-lived verify Pod of spec.verify (runs the pushed image, no token).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "delete"]
# The running build's Kaniko log: where it is (the Building condition's message); the verify
# Pod's log tail when the image does not answer (the Verified condition's message).
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
# Push and git Secrets: read by name only (registry credentials, git credentials check).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
# core/v1 Events on NodeAppImages.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}
