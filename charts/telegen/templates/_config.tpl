{{/* The DaemonSet's telegen.yaml: `config`, over what the chart supplies when `config`
does not say: where the pod mounts the host (daemonset.yaml mounts the host's
directories at whatever paths end up here) and the Lease's name. */}}
{{- define "telegen.config" -}}
{{- $supplied := dict
      "kubernetes" (dict "leader_election" dict)
      "kube_metrics" (dict
        "node" (dict "proc_root" "/host/proc" "sys_root" "/host/sys" "rootfs" "/host/root")
        "cadvisor" (dict "proc_root" "/host/proc" "cgroup_root" "/host/sys/fs/cgroup")) -}}
{{- $config := mergeOverwrite $supplied (deepCopy (.Values.config | default dict)) -}}
{{- /* Not Telegen's own default ("telegen"): two releases in one namespace get two Leases. */ -}}
{{- $election := $config.kubernetes.leader_election -}}
{{- if not $election.lease_name -}}
{{- $_ := set $election "lease_name" (printf "%s-leader" (include "telegen.fullname" .)) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/* "true" when a telegen.yaml (given as a dict) talks to the API server at all. */}}
{{- define "telegen.usesAPI" -}}
{{- if and (dig "kubernetes" "enable" true .) (dig "kube_metrics" "enabled" true .) -}}true{{- end -}}
{{- end -}}

{{/* "true" when the DaemonSet elects a leader, resolved as Telegen resolves
kubernetes.leader_election.enabled (docs/configuration.md): only when it uses the API
for something, and `auto` only in a cluster (always, for the DaemonSet) with node-local
pods in effect: node_local_pods not false and kube-state not sharded. Decides the Lease
Role and the checks below. */}}
{{- define "telegen.leaderElection" -}}
{{- $config := include "telegen.config" . | fromYaml -}}
{{- $enabled := dig "kubernetes" "leader_election" "enabled" "auto" $config | toString -}}
{{- $nodeLocal := and
      (ne (dig "kube_metrics" "kube_state" "node_local_pods" "auto" $config | toString) "false")
      (eq (dig "kube_metrics" "kube_state" "total_shards" 1 $config | toString) "1") -}}
{{- $watches := include "telegen.watched" $config | fromYaml -}}
{{- if and $watches (or (eq $enabled "true") (and (eq $enabled "auto") $nodeLocal)) -}}true{{- end -}}
{{- end -}}

{{/* The Lease's namespace: leader_election.namespace, else the pod's (POD_NAMESPACE). */}}
{{- define "telegen.leaseNamespace" -}}
{{- $config := include "telegen.config" . | fromYaml -}}
{{- dig "kubernetes" "leader_election" "namespace" "" $config | default .Release.Namespace -}}
{{- end -}}

{{/* The paths a telegen.yaml (given as a dict) writes to, for the features it turns on:
the event stream's checkpoint file and the disk queues. One per line. */}}
{{- define "telegen.writablePaths" -}}
{{- $metrics := get . "kube_metrics" | default dict -}}
{{- if dig "streaming" "enabled" false $metrics }}
{{ dig "streaming" "queue" "directory" "" $metrics }}
{{- end }}
{{- if dig "logs_streaming" "enabled" false $metrics }}
{{ dig "logs_streaming" "checkpoint_file" "" $metrics }}
{{ dig "logs_streaming" "queue" "directory" "" $metrics }}
{{- end }}
{{- end -}}

{{/* "true" when the DaemonSet needs its state directory (daemonset.yaml). */}}
{{- define "telegen.needsStateDirectory" -}}
{{- $config := include "telegen.config" . | fromYaml -}}
{{- range splitList "\n" (include "telegen.writablePaths" $config) }}{{ if . }}true{{ end }}{{ end -}}
{{- end -}}

{{/* Combinations the render refuses, each of which would start pods that misbehave. */}}
{{- define "telegen.checks" -}}
{{- $config := include "telegen.config" . | fromYaml -}}
{{- $metrics := get $config "kube_metrics" | default dict -}}
{{- /* Without a leader every replica would serve the cluster-wide kinds and send every event. */ -}}
{{- if and (include "telegen.usesAPI" $config) (not (include "telegen.leaderElection" .)) -}}
{{- $kinds := dig "kube_state" "resources" (list) $metrics -}}
{{- if and (dig "kube_state" "enabled" true $metrics) (or (empty $kinds) (without $kinds "pods")) -}}
{{- fail "config: with leader election off, every DaemonSet replica would serve the cluster-wide kube-state kinds; set kubernetes.leader_election.enabled to auto or true, or kube_metrics.kube_state.resources to [pods] (kubeStateShards can serve the rest)" -}}
{{- end -}}
{{- if dig "logs_streaming" "enabled" false $metrics -}}
{{- fail "config: with leader election off, every DaemonSet replica would send every event; set kubernetes.leader_election.enabled to auto or true, or kube_metrics.logs_streaming.enabled to false" -}}
{{- end -}}
{{- end -}}
{{- /* A key in telegen.yaml, even an empty one, beats the environment: the Secret
would be ignored. */ -}}
{{- if .Values.otlp.existingSecret -}}
{{- range $section := list "streaming" "logs_streaming" -}}
{{- $settings := get $metrics $section | default dict -}}
{{- if hasKey $settings "endpoint" -}}
{{- fail (printf "config.kube_metrics.%s.endpoint is in the file, so otlp.existingSecret's endpoint would be ignored (telegen.yaml wins over OTEL_EXPORTER_OTLP_*, even with \"\"); remove one of them" $section) -}}
{{- end -}}
{{- if and $.Values.otlp.headersKey (hasKey $settings "headers") -}}
{{- fail (printf "config.kube_metrics.%s.headers is in the file, so otlp.existingSecret's headers would be ignored (telegen.yaml wins over OTEL_EXPORTER_OTLP_*, even with {}); remove one of them" $section) -}}
{{- end -}}
{{- end -}}
{{- else -}}
{{- if and (dig "streaming" "enabled" false $metrics) (not (dig "streaming" "endpoint" "" $metrics)) -}}
{{- fail "config.kube_metrics.streaming is enabled without an endpoint: set config.kube_metrics.streaming.endpoint or otlp.existingSecret" -}}
{{- end -}}
{{- if and (dig "logs_streaming" "enabled" false $metrics) (not (or (dig "logs_streaming" "endpoint" "" $metrics) (dig "streaming" "endpoint" "" $metrics))) -}}
{{- fail "config.kube_metrics.logs_streaming is enabled without an endpoint: set config.kube_metrics.logs_streaming.endpoint, config.kube_metrics.streaming.endpoint or otlp.existingSecret" -}}
{{- end -}}
{{- end -}}
{{- /* The root filesystem is read-only: what Telegen writes must be on the state volume. */ -}}
{{- $mount := trimSuffix "/" .Values.stateDirectory.mountPath -}}
{{- range splitList "\n" (include "telegen.writablePaths" $config) -}}
{{- if and . (not (hasPrefix (printf "%s/" $mount) (printf "%s/" .))) -}}
{{- fail (printf "config: %s is not under stateDirectory.mountPath (%s), the only writable place in the pod" . $mount) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The shards' telegen.yaml: `config` (listen address, streaming, allowlists, ...) without
the DaemonSet's node-local parts, kubeStateShards.config merged over it, then what sharding
needs forced: kube-state on with shard and total_shards auto, the node and container
collectors off (a shard serves objects of every node; Telegen refuses cadvisor there), no
leader election and no event stream (the DaemonSet's leader sends the events), and no disk
queue (a StatefulSet pod has no state volume here). */}}
{{- define "telegen.kubeStateConfig" -}}
{{- $config := deepCopy (.Values.config | default dict) -}}
{{- $metrics := get $config "kube_metrics" | default dict -}}
{{- $_ := set $metrics "kube_state" (omit (get $metrics "kube_state" | default dict) "resources" "shard" "total_shards" "node_local_pods") -}}
{{- $_ := unset $metrics "node" -}}
{{- $_ := unset $metrics "cadvisor" -}}
{{- $_ := unset $metrics "logs_streaming" -}}
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
{{- $_ := set $metrics "logs_streaming" (dict "enabled" false) -}}
{{- with get $metrics "streaming" -}}
{{- with get . "queue" -}}
{{- $_ := unset . "directory" -}}
{{- end -}}
{{- end -}}
{{- $kubernetes := get $config "kubernetes" | default dict -}}
{{- $_ := set $kubernetes "leader_election" (dict "enabled" false) -}}
{{- $_ := set $config "kubernetes" $kubernetes -}}
{{- /* Every kind served once: the DaemonSet's node-local kinds and the shards' kinds must not meet. */ -}}
{{- $daemonSetKinds := dig "kube_metrics" "kube_state" "resources" (list) .Values.config -}}
{{- $shardKinds := get $kubeState "resources" | default list -}}
{{- if dig "kube_metrics" "kube_state" "enabled" true .Values.config -}}
{{- if or (empty $daemonSetKinds) (empty $shardKinds) -}}
{{- fail "kubeStateShards: an empty kube_state.resources means kube-state-metrics' whole default set, so the DaemonSet (config.kube_metrics.kube_state.resources) and the shards (kubeStateShards.config.kube_metrics.kube_state.resources) would serve some kinds twice; list the kinds of each (values-sharded.yaml gives the DaemonSet [pods]), or set config.kube_metrics.kube_state.enabled to false to serve them all from the shards" -}}
{{- end -}}
{{- range $shardKinds -}}
{{- if has . $daemonSetKinds -}}
{{- fail (printf "kubeStateShards: %q is in both config.kube_metrics.kube_state.resources (the DaemonSet) and kubeStateShards.config.kube_metrics.kube_state.resources (the shards); serve each kind once" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
