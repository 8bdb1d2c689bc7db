{{- define "telegen.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "telegen.labels" -}}
app.kubernetes.io/name: telegen
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "telegen.selector" -}}
app.kubernetes.io/name: telegen
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
