{{/* Every kind kube-state serves, by kube-state-metrics' --resources name (which is also
the API's resource name): its API group ("core" for the core group) and whether it is in
kube-state-metrics' default set, which an empty kube_state.resources selects.
ChartTests checks this table against Telegen's registry (Sources/KubeState/Registry),
kind by kind. */}}
{{- define "telegen.kubeStateKinds" -}}
certificatesigningrequests: {group: certificates.k8s.io, default: true}
clusterrolebindings: {group: rbac.authorization.k8s.io, default: false}
clusterroles: {group: rbac.authorization.k8s.io, default: false}
configmaps: {group: core, default: true}
cronjobs: {group: batch, default: true}
daemonsets: {group: apps, default: true}
deployments: {group: apps, default: true}
endpoints: {group: core, default: false}
endpointslices: {group: discovery.k8s.io, default: true}
horizontalpodautoscalers: {group: autoscaling, default: true}
ingressclasses: {group: networking.k8s.io, default: false}
ingresses: {group: networking.k8s.io, default: true}
jobs: {group: batch, default: true}
leases: {group: coordination.k8s.io, default: true}
limitranges: {group: core, default: true}
mutatingadmissionpolicies: {group: admissionregistration.k8s.io, default: true}
mutatingadmissionpolicybindings: {group: admissionregistration.k8s.io, default: true}
mutatingwebhookconfigurations: {group: admissionregistration.k8s.io, default: true}
namespaces: {group: core, default: true}
networkpolicies: {group: networking.k8s.io, default: true}
nodes: {group: core, default: true}
persistentvolumeclaims: {group: core, default: true}
persistentvolumes: {group: core, default: true}
poddisruptionbudgets: {group: policy, default: true}
pods: {group: core, default: true}
replicasets: {group: apps, default: true}
replicationcontrollers: {group: core, default: true}
resourcequotas: {group: core, default: true}
rolebindings: {group: rbac.authorization.k8s.io, default: false}
roles: {group: rbac.authorization.k8s.io, default: false}
secrets: {group: core, default: true}
serviceaccounts: {group: core, default: false}
services: {group: core, default: true}
statefulsets: {group: apps, default: true}
storageclasses: {group: storage.k8s.io, default: true}
validatingadmissionpolicies: {group: admissionregistration.k8s.io, default: true}
validatingadmissionpolicybindings: {group: admissionregistration.k8s.io, default: true}
validatingwebhookconfigurations: {group: admissionregistration.k8s.io, default: true}
volumeattachments: {group: storage.k8s.io, default: true}
{{- end -}}
