{{/* Names and labels, as the kube-state-metrics and OpenTelemetry Collector charts build them. */}}

{{- define "telegen.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* fullnameOverride, else the release name when it already contains the chart's name,
else "<release>-<name>". */}}
{{- define "telegen.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "telegen.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "telegen.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "telegen.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "telegen.selector" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "telegen.selector" -}}
app.kubernetes.io/name: {{ include "telegen.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The DaemonSet's pods. The component keeps its selector (and the Service's) off the
shards' pods, which carry the same name and instance. */}}
{{- define "telegen.agentLabels" -}}
{{ include "telegen.labels" . }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "telegen.agentSelector" -}}
{{ include "telegen.selector" . }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "telegen.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "telegen.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{- define "telegen.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The kube-state shards' StatefulSet, and its Service, ServiceAccount, ConfigMap and
Role. 52 characters at most: a StatefulSet's pods add "-<ordinal>" and the controller's
revision label needs room. Telegen's `shard: auto` takes POD_NAME minus "-<ordinal>" as
this name. */}}
{{- define "telegen.kubeStateName" -}}
{{- printf "%s-kube-state" (include "telegen.fullname" .) | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "telegen.kubeStateLabels" -}}
{{ include "telegen.labels" . }}
app.kubernetes.io/component: kube-state-shard
{{- end -}}

{{- define "telegen.kubeStateSelector" -}}
{{ include "telegen.selector" . }}
app.kubernetes.io/component: kube-state-shard
{{- end -}}

{{/* The port of config.kube_metrics.listen_address (":9443", "HOST:PORT", "[IPv6]:PORT"). */}}
{{- define "telegen.port" -}}
{{- regexFind "[0-9]+$" (dig "kube_metrics" "listen_address" ":9443" .Values.config) | default "9443" -}}
{{- end -}}

{{/* OTLP endpoint and headers from otlp.existingSecret, as the OTEL_EXPORTER_OTLP_*
variables Telegen reads for what telegen.yaml leaves unset (docs/configuration.md,
"Environment"). `logs` adds the OTEL_EXPORTER_OTLP_LOGS_* ones (the event stream runs in
the DaemonSet only). Headers are optional keys: a Secret without them starts the pod. */}}
{{- define "telegen.otlpEnv" -}}
{{- $otlp := .context.Values.otlp -}}
{{- if $otlp.existingSecret -}}
{{- $variables := list (list "OTEL_EXPORTER_OTLP_ENDPOINT" $otlp.endpointKey false) (list "OTEL_EXPORTER_OTLP_HEADERS" $otlp.headersKey true) -}}
{{- if .logs -}}
{{- $variables = concat $variables (list (list "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT" $otlp.logsEndpointKey true) (list "OTEL_EXPORTER_OTLP_LOGS_HEADERS" $otlp.logsHeadersKey true)) -}}
{{- end -}}
{{- range $variables }}
{{- if index . 1 }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef: {name: {{ $otlp.existingSecret }}, key: {{ index . 1 }}, optional: {{ index . 2 }}}
{{- end }}
{{- end }}
{{- end -}}
{{- end -}}
