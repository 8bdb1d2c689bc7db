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

{{/* The kube-state shards' StatefulSet, and its Service, ServiceAccount, ConfigMap and
Role. 52 characters at most: a StatefulSet's pods add "-<ordinal>" and the controller's
revision label needs room. Telegen's `shard: auto` takes POD_NAME minus "-<ordinal>" as
this name. */}}
{{- define "telegen.kubeStateName" -}}
{{- printf "%s-kube-state" (include "telegen.name" .) | trunc 52 | trimSuffix "-" -}}
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

{{/* The shards' telegen.yaml: `config` (listen address, streaming, allowlists, ...) without
the DaemonSet's node-local parts, kubeStateShards.config merged over it, then what sharding
needs forced: kube-state on with shard and total_shards auto, the node and container
collectors off (a shard serves objects of every node; Telegen refuses cadvisor there). */}}
{{- define "telegen.kubeStateConfig" -}}
{{- $config := deepCopy (.Values.config | default dict) -}}
{{- $metrics := get $config "kube_metrics" | default dict -}}
{{- $_ := set $metrics "kube_state" (omit (get $metrics "kube_state" | default dict) "resources" "shard" "total_shards" "node_local_pods") -}}
{{- $_ := unset $metrics "node" -}}
{{- $_ := unset $metrics "cadvisor" -}}
{{- $_ := set $config "kube_metrics" $metrics -}}
{{- $config = mergeOverwrite $config (deepCopy (.Values.kubeStateShards.config | default dict)) -}}
{{- $metrics = get $config "kube_metrics" -}}
{{- $kubeState := get $metrics "kube_state" | default dict -}}
{{- $_ := set $kubeState "enabled" true -}}
{{- $_ := set $kubeState "shard" "auto" -}}
{{- $_ := set $kubeState "total_shards" "auto" -}}
{{- $_ := set $metrics "kube_state" $kubeState -}}
{{- $_ := set $metrics "node" (dict "enabled" false) -}}
{{- $_ := set $metrics "cadvisor" (dict "enabled" false) -}}
{{- /* Every kind served once: the DaemonSet's node-local kinds and the shards' kinds must not meet. */ -}}
{{- $daemonSetKinds := dig "kube_metrics" "kube_state" "resources" (list) .Values.config -}}
{{- $shardKinds := get $kubeState "resources" | default list -}}
{{- if dig "kube_metrics" "kube_state" "enabled" true .Values.config -}}
{{- if or (empty $daemonSetKinds) (empty $shardKinds) -}}
{{- fail "kubeStateShards: an empty kube_state.resources means kube-state-metrics' whole default set, so the DaemonSet (config.kube_metrics.kube_state.resources) and the shards (kubeStateShards.config.kube_metrics.kube_state.resources) would serve some kinds twice; list the kinds of each, or set config.kube_metrics.kube_state.enabled to false to serve them all from the shards" -}}
{{- end -}}
{{- range $shardKinds -}}
{{- if has . $daemonSetKinds -}}
{{- fail (printf "kubeStateShards: %q is in both config.kube_metrics.kube_state.resources (the DaemonSet) and kubeStateShards.config.kube_metrics.kube_state.resources (the shards); serve each kind once" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
