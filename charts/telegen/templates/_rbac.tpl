{{/* What a telegen.yaml (given as a dict) lists and watches, as {group: [resources]}
("core" for the core group): kube-state's kinds (an empty `resources` resolved to
kube-state-metrics' default set), pods when the container collector is on (it names
containers from the node's pods), and core/v1 events when logs_streaming is on (the
event stream watches /api/v1/events). Nothing when the API is not used. */}}
{{- define "telegen.watched" -}}
{{- $kinds := include "telegen.kubeStateKinds" . | fromYaml -}}
{{- $watched := dict -}}
{{- if include "telegen.usesAPI" . -}}
{{- $names := list -}}
{{- if dig "kube_metrics" "kube_state" "enabled" true . -}}
{{- $names = dig "kube_metrics" "kube_state" "resources" (list) . -}}
{{- if empty $names -}}
{{- range $name, $kind := $kinds }}{{ if $kind.default }}{{ $names = append $names $name }}{{ end }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if dig "kube_metrics" "cadvisor" "enabled" true . -}}
{{- $names = append $names "pods" -}}
{{- end -}}
{{- range $names | uniq -}}
{{- $kind := get $kinds . -}}
{{- if not $kind -}}
{{- fail (printf "config.kube_metrics.kube_state.resources: unknown resource %q (see docs/configuration.md for the names)" .) -}}
{{- end -}}
{{- $_ := set $watched $kind.group (append (get $watched $kind.group | default list) . | sortAlpha) -}}
{{- end -}}
{{- if dig "kube_metrics" "logs_streaming" "enabled" false . -}}
{{- $_ := set $watched "core" (append (get $watched "core" | default list) "events" | sortAlpha) -}}
{{- end -}}
{{- end -}}
{{- toYaml $watched -}}
{{- end -}}

{{/* ClusterRole rules for a telegen.yaml (given as a dict): list and watch, nothing
else, on exactly what it watches. Never get: kube-state and the event stream only list
and watch, so no object (a secret least of all) can be read by name. */}}
{{- define "telegen.clusterRules" -}}
{{- $watched := include "telegen.watched" . | fromYaml -}}
{{- $groups := keys $watched | sortAlpha -}}
{{- if has "core" $groups }}{{ $groups = prepend (without $groups "core") "core" }}{{ end -}}
{{- range $group := $groups }}
- apiGroups: [{{ if eq $group "core" }}""{{ else }}{{ $group }}{{ end }}]
  resources: [{{ get $watched $group | join ", " }}]
  verbs: [list, watch]
{{- end }}
{{- end -}}
