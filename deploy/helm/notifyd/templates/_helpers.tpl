{{- define "notifyd.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "notifyd.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "notifyd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "notifyd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "notifyd.labels" -}}
{{ include "notifyd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "notifyd.secretName" -}}
{{- if .Values.existingSecret -}}{{ .Values.existingSecret }}{{- else -}}{{ include "notifyd.fullname" . }}{{- end -}}
{{- end -}}

{{/* SQLite has one writer: one replica, no autoscaling. */}}
{{- define "notifyd.check" -}}
{{- if and .Values.sqlite.enabled (gt (int .Values.replicaCount) 1) -}}
{{- fail "sqlite.enabled: SQLite has one writer, so replicaCount must be 1; use MySQL or PostgreSQL (sqlite.enabled=false) for more" -}}
{{- end -}}
{{- if and .Values.sqlite.enabled .Values.autoscaling.enabled -}}
{{- fail "autoscaling needs an external database (sqlite.enabled=false)" -}}
{{- end -}}
{{- if le (int .Values.terminationGracePeriodSeconds) (add (int .Values.preStopSeconds) 30) -}}
{{- fail "terminationGracePeriodSeconds must exceed preStopSeconds plus notifyd's 30s drain" -}}
{{- end -}}
{{- if and (gt (int .Values.preStopSeconds) 0) (semverCompare "<1.30.0-0" .Capabilities.KubeVersion.Version) -}}
{{- fail "preStopSeconds: the preStop pause is the kubelet's sleep action, which needs Kubernetes 1.30 or later (the image has no shell for an exec sleep); on an older cluster set preStopSeconds: 0 (see the chart's values.yaml)" -}}
{{- end -}}
{{- end -}}
