{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "loss-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: the release name, with the chart name unless it already holds it. */}}
{{- define "loss-service.fullname" -}}
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

{{- define "loss-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "loss-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "loss-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "loss-service.labels" -}}
helm.sh/chart: {{ include "loss-service.chart" . }}
{{ include "loss-service.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "loss-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "loss-service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image: the CUDA build on GPU nodes, the CPU build elsewhere. */}}
{{- define "loss-service.image" -}}
{{- if .Values.gpu.enabled }}
{{- printf "%s:%s" .Values.image.repository (default (printf "%s-cuda" .Chart.AppVersion) .Values.image.cudaTag) }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* loss.backend as the pod runs it: cuda on GPU nodes, so that a pod without a usable GPU fails to start. */}}
{{- define "loss-service.backend" -}}
{{- if .Values.gpu.enabled }}cuda{{ else }}{{ .Values.loss.backend }}{{ end }}
{{- end }}
