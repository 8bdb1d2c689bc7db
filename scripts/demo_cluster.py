"""The demo's cluster (scripts/demo): either the one a kubeconfig names, or a simulated one.

    demo_cluster.py probe [--timeout S]
        GET /version from the cluster of the current context of $KUBECONFIG (else
        ~/.kube/config) with that context's credentials; exit 0 and print its version when
        it answers 200 within the timeout, else exit 1 and print why not. Credentials
        Telegen cannot use (exec and auth-provider plugins) count as not reachable.

    demo_cluster.py simulate --dir D [--pods N --nodes M --seed S --events-every S]
        Runs the project's fake API server (Tests/Python/fake_apiserver.py, h2c on
        127.0.0.1, ports picked by the kernel) with a generated cluster: its --synthetic-pods
        pods, nodes and namespaces, plus the objects that own and serve those pods
        (Deployments and their ReplicaSets, StatefulSets with their PVCs and PVs, DaemonSets,
        Jobs and CronJobs, Services, EndpointSlices, HPAs, PDBs, ...), all derived from the
        pods so that every reference resolves. Writes D/kubeconfig, then D/ready
        ("READY <port> <control port>" and a one-line summary), then keeps the cluster alive
        through the server's control API: pods replaced with the scheduler's, the kubelet's
        and the ReplicaSet controller's events, crash-looping containers (BackOff),
        failing readiness probes (Unhealthy) and an unschedulable pod (FailedScheduling),
        whose counts grow on every repeat as the real recorders' do. Events expire an hour
        after their last update, as the API server's TTL has them.
"""
import argparse
import base64
import calendar
import collections
import copy
import http.client
import json
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE_APISERVER = os.path.join(ROOT, "Tests/Python/fake_apiserver.py")


# ---------------------------------------------------------------------------------
# probe


def kubeconfig_paths():
    listed = os.environ.get("KUBECONFIG", "")
    if listed:
        return [path for path in listed.split(":") if path]
    return [os.path.expanduser("~/.kube/config")]


def named(documents, section, field, name):
    """The first entry called `name` across the files, as kubectl merges them."""
    for path, document in documents:
        for entry in document.get(section) or []:
            if isinstance(entry, dict) and entry.get("name") == name:
                return path, entry.get(field) or {}
    return None, None


def material(section, file_key, data_key, relative_to, scratch):
    """A path to the PEM a kubeconfig gives inline (base64) or as a file, or None."""
    if section.get(data_key):
        path = os.path.join(scratch, data_key)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as handle:
            handle.write(base64.b64decode(section[data_key]))
        return path
    if section.get(file_key):
        return os.path.join(os.path.dirname(relative_to), os.path.expanduser(section[file_key]))
    return None


def probe(arguments):
    import yaml  # only here: the simulated cluster needs no YAML
    paths = [path for path in kubeconfig_paths() if os.path.isfile(path)]
    if not paths:
        return fail("no kubeconfig (KUBECONFIG is unset and ~/.kube/config does not exist)")
    documents = []
    for path in paths:
        try:
            with open(path) as handle:
                documents.append((path, yaml.safe_load(handle) or {}))
        except (OSError, yaml.YAMLError) as error:
            return fail(f"cannot read {path}: {error}")
    current = next((document.get("current-context") for _, document in documents if document.get("current-context")), None)
    if not current:
        return fail(f"{':'.join(paths)} has no current-context")
    _, context = named(documents, "contexts", "context", current)
    if context is None:
        return fail(f"context {current!r} is not defined")
    cluster_path, cluster = named(documents, "clusters", "cluster", context.get("cluster"))
    if not cluster or not cluster.get("server"):
        return fail(f"context {current!r} names no cluster with a server")
    user_path, user = named(documents, "users", "user", context.get("user")) if context.get("user") else (None, {})
    user = user or {}
    if user.get("exec") or user.get("auth-provider"):
        return fail(f"context {current!r} authenticates with an exec or auth-provider plugin, which Telegen does not run")

    server = cluster["server"]
    parsed = urllib.parse.urlsplit(server)
    headers = {"Accept": "application/json", "User-Agent": "telegen-demo"}
    token = user.get("token")
    if not token and user.get("tokenFile"):
        try:
            with open(os.path.join(os.path.dirname(user_path), user["tokenFile"])) as handle:
                token = handle.read().strip()
        except OSError as error:
            return fail(f"cannot read the token file: {error}")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif user.get("username"):
        basic = base64.b64encode(f"{user['username']}:{user.get('password', '')}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"

    with tempfile.TemporaryDirectory(prefix="telegen-demo-probe-") as scratch:
        try:
            if parsed.scheme == "https":
                context_ = ssl.create_default_context(cafile=material(cluster, "certificate-authority",
                                                                      "certificate-authority-data", cluster_path, scratch))
                if cluster.get("insecure-skip-tls-verify"):
                    context_.check_hostname = False
                    context_.verify_mode = ssl.CERT_NONE
                certificate = material(user, "client-certificate", "client-certificate-data", user_path or "", scratch)
                key = material(user, "client-key", "client-key-data", user_path or "", scratch)
                if certificate and key:
                    context_.load_cert_chain(certificate, key)
                server_name = cluster.get("tls-server-name") or parsed.hostname

                class Connection(http.client.HTTPSConnection):
                    def connect(self):  # tls-server-name: the name checked, not the host dialled
                        raw = socket.create_connection((self.host, self.port), self.timeout)
                        self.sock = context_.wrap_socket(raw, server_hostname=server_name)

                connection = Connection(parsed.hostname, parsed.port or 443, timeout=arguments.timeout)
            else:
                connection = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=arguments.timeout)
            # A bound on the whole exchange, not only on each socket operation.
            timer = threading.Timer(arguments.timeout, lambda: connection.sock and connection.sock.close())
            timer.start()
            try:
                connection.request("GET", parsed.path.rstrip("/") + "/version", headers=headers)
                response = connection.getresponse()
                body = response.read()
            finally:
                timer.cancel()
                connection.close()
        except (OSError, ssl.SSLError, http.client.HTTPException, ValueError) as error:
            return fail(f"{server} did not answer: {error}")
    if response.status != 200:
        return fail(f"{server} answered GET /version with HTTP {response.status}")
    try:
        version = json.loads(body).get("gitVersion", "?")
    except ValueError:
        version = "?"
    print(f"Kubernetes {version} at {server} (context {current})")
    return 0


def fail(reason):
    print(reason)
    return 1


# ---------------------------------------------------------------------------------
# simulate: the objects that own and serve the generated pods


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def micro(seconds):
    """metav1.MicroTime as the API server writes it."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1e6) % 1000000:06d}Z"


def parse_iso(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def is_ready(pod):
    return any(condition["type"] == "Ready" and condition["status"] == "True"
               for condition in pod["status"].get("conditions", []))


def is_terminal(pod):
    return pod["status"]["phase"] in ("Succeeded", "Failed")


def owner_of(pod):
    references = pod["metadata"].get("ownerReferences") or [{}]
    return references[0]


def pod_template(pod, drop_labels=()):
    """The pod template a controller would hold: the pod's spec without what the
    scheduler, the API server and the kubelet add."""
    labels = {key: value for key, value in pod["metadata"].get("labels", {}).items() if key not in drop_labels}
    spec = copy.deepcopy(pod["spec"])
    for key in ("nodeName", "hostname", "subdomain", "serviceAccount", "priority", "enableServiceLinks",
                "preemptionPolicy", "tolerations"):
        spec.pop(key, None)
    spec["volumes"] = [volume for volume in spec.get("volumes", []) if not volume["name"].startswith("kube-api-access-")]
    for container in spec["containers"]:
        container["volumeMounts"] = [mount for mount in container.get("volumeMounts", [])
                                     if not mount["name"].startswith("kube-api-access-")]
    template = {"metadata": {"labels": labels}, "spec": spec}
    if pod["metadata"].get("annotations"):
        template["metadata"]["annotations"] = dict(pod["metadata"]["annotations"])
    return template


def quantity(text):
    """A CPU or memory quantity in base units (cores, bytes); enough for requests."""
    units = {"m": 1e-3, "Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix in sorted(units, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[:-len(suffix)]) * units[suffix]
    return float(text)


def condition(type_, status, when, reason, message):
    return {"type": type_, "status": status, "lastUpdateTime": iso(when), "lastTransitionTime": iso(when),
            "reason": reason, "message": message}


class Derived:
    """Builds the owners and neighbours of the generated pods."""

    def __init__(self, objects, rng):
        self.objects, self.rng = objects, rng
        self.out = collections.defaultdict(list)
        self.pods = objects["pods"]
        self.nodes = [node["metadata"]["name"] for node in objects["nodes"]]

    def uid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add(self, label, document):
        self.out[label].append(document)
        return document

    def meta(self, name, namespace, created, labels=None, **extra):
        meta = {"name": name, "namespace": namespace, "uid": self.uid(), "creationTimestamp": iso(created)}
        if namespace is None:
            del meta["namespace"]
        if labels:
            meta["labels"] = labels
        meta.update(extra)
        return meta

    def build(self):
        groups = collections.defaultdict(list)
        for pod in self.pods:
            reference = owner_of(pod)
            groups[(reference.get("kind"), pod["metadata"]["namespace"], reference.get("name"))].append(pod)
        # The generator gives each DaemonSet pod an owner of its own (one UID and revision
        # hash per node): one DaemonSet owns them all here, as in a cluster.
        for (kind, _, _), pods in groups.items():
            first = pods[0]
            for pod in pods[1:]:
                owner_of(pod)["uid"] = owner_of(first)["uid"]
                if "controller-revision-hash" in first["metadata"].get("labels", {}):
                    pod["metadata"]["labels"]["controller-revision-hash"] = first["metadata"]["labels"]["controller-revision-hash"]
        self.add("storage.k8s.io/v1/storageclasses", {
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": self.meta("gp3", None, time.time() - 90 * 86400,
                                  annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
            "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3", "fsType": "ext4"},
            "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": True})
        deployments = 0
        for (kind, namespace, name), pods in sorted(groups.items(), key=lambda item: str(item[0])):
            owner_uid = owner_of(pods[0]).get("uid")
            created = min(parse_iso(pod["metadata"]["creationTimestamp"]) for pod in pods)
            if kind == "ReplicaSet":
                self.deployment(namespace, name, owner_uid, pods, created, deployments)
                deployments += 1
            elif kind == "StatefulSet":
                self.statefulset(namespace, name, owner_uid, pods, created)
            elif kind == "DaemonSet":
                self.daemonset(namespace, name, owner_uid, pods, created)
            elif kind == "Job":
                self.job(namespace, name, owner_uid, pods, created)
        self.namespaces()
        self.leases()
        return self.out

    def replica_status(self, pods):
        live = [pod for pod in pods if not is_terminal(pod)]
        ready = sum(1 for pod in live if is_ready(pod))
        return len(live), ready

    def deployment(self, namespace, rs_name, rs_uid, pods, created, index):
        app = pods[0]["metadata"]["labels"]["app"]
        hash_ = pods[0]["metadata"]["labels"]["pod-template-hash"]
        replicas, ready = self.replica_status(pods)
        template = pod_template(pods[0])
        deployment_template = copy.deepcopy(template)
        deployment_template["metadata"]["labels"].pop("pod-template-hash", None)
        deployment_uid = self.uid()
        surge = -(-replicas // 4)  # maxSurge 25%, rounded up as the controller does
        available = ready >= replicas - replicas // 4  # maxUnavailable 25%, rounded down
        conditions = [
            condition("Available", "True" if available else "False", created + 40,
                      "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                      "Deployment has minimum availability." if available
                      else "Deployment does not have minimum availability."),
            condition("Progressing", "True", created + 30, "NewReplicaSetAvailable",
                      f'ReplicaSet "{rs_name}" has successfully progressed.')]
        status = {"observedGeneration": 2, "replicas": replicas, "updatedReplicas": replicas, "readyReplicas": ready,
                  "availableReplicas": ready, "conditions": conditions}
        if replicas > ready:
            status["unavailableReplicas"] = replicas - ready
        self.add("apps/v1/deployments", {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {**self.meta(app, namespace, created - 7 * 86400, {"app": app}), "uid": deployment_uid,
                         "generation": 2, "annotations": {"deployment.kubernetes.io/revision": "2"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": app}}, "template": deployment_template,
                     "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                     "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
            "status": status})
        owner = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": app, "uid": deployment_uid,
                  "controller": True, "blockOwnerDeletion": True}]
        old_hash = "".join(self.rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(10))
        for name, uid, revision, count, ready_count, when, rs_hash in (
                (f"{app}-{old_hash}", self.uid(), "1", 0, 0, created - 7 * 86400, old_hash),
                (rs_name, rs_uid, "2", replicas, ready, created, hash_)):
            labels = {"app": app, "pod-template-hash": rs_hash}
            rs_template = copy.deepcopy(template)
            rs_template["metadata"]["labels"] = dict(labels)
            self.add("apps/v1/replicasets", {
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {**self.meta(name, namespace, when, labels), "uid": uid, "generation": 1,
                             "annotations": {"deployment.kubernetes.io/desired-replicas": str(replicas),
                                             "deployment.kubernetes.io/max-replicas": str(replicas + surge),
                                             "deployment.kubernetes.io/revision": revision},
                             "ownerReferences": owner},
                "spec": {"replicas": count, "selector": {"matchLabels": labels}, "template": rs_template},
                "status": {"replicas": count, "fullyLabeledReplicas": count, "readyReplicas": ready_count,
                           "availableReplicas": ready_count, "observedGeneration": 1}})
        ports = template["spec"]["containers"][0].get("ports")
        if ports:
            self.service(namespace, app, {"app": app}, ports[0], pods, created)
        self.add("v1/secrets", {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                "metadata": self.meta(f"{app}-env", namespace, created - 7 * 86400, {"app": app}),
                                "data": {"DATABASE_URL": base64.b64encode(b"postgres://app@postgres:5432/app").decode()}})
        self.add("v1/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                   "metadata": self.meta(f"{app}-config", namespace, created - 7 * 86400, {"app": app}),
                                   "data": {"LOG_LEVEL": "info"}})
        if replicas >= 2:
            self.add("policy/v1/poddisruptionbudgets", {
                "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                "metadata": {**self.meta(app, namespace, created, {"app": app}), "generation": 1},
                "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": app}}},
                "status": {"observedGeneration": 1, "disruptionsAllowed": 1 if ready == replicas else 0,
                           "currentHealthy": ready, "desiredHealthy": replicas - 1, "expectedPods": replicas,
                           "conditions": [{"type": "DisruptionAllowed", "status": "True" if ready == replicas else "False",
                                           "reason": "SufficientPods" if ready == replicas else "InsufficientPods",
                                           "message": "", "observedGeneration": 1,
                                           "lastTransitionTime": iso(created + 60)}]}})
        if replicas >= 3:
            self.add("autoscaling/v2/horizontalpodautoscalers", {
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": self.meta(app, namespace, created, {"app": app}),
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": app},
                         "minReplicas": max(1, replicas - 1), "maxReplicas": replicas * 3,
                         "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
                "status": {"currentReplicas": replicas, "desiredReplicas": replicas, "lastScaleTime": iso(created + 3600),
                           "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 41, "averageValue": "82m"}}}],
                           "conditions": [
                               {"type": "AbleToScale", "status": "True", "lastTransitionTime": iso(created + 60), "reason": "ReadyForNewScale",
                                "message": "recommended size matches current size"},
                               {"type": "ScalingActive", "status": "True", "lastTransitionTime": iso(created + 60), "reason": "ValidMetricFound",
                                "message": "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"},
                               {"type": "ScalingLimited", "status": "False", "lastTransitionTime": iso(created + 60), "reason": "DesiredWithinRange",
                                "message": "the desired count is within the acceptable range"}]}})
        if index < 2 and ports:
            self.add("networking.k8s.io/v1/ingresses", {
                "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {**self.meta(app, namespace, created, {"app": app}), "generation": 1},
                "spec": {"ingressClassName": "nginx", "tls": [{"hosts": [f"{app}.example.com"], "secretName": f"{app}-tls"}],
                         "rules": [{"host": f"{app}.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                                    "backend": {"service": {"name": app, "port": {"number": 80}}}}]}}]},
                "status": {"loadBalancer": {"ingress": [{"hostname": "a1b2c3d4e5f6-1234567890.eu-west-1.elb.amazonaws.com"}]}}})
            self.add("v1/secrets", {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                                    "metadata": self.meta(f"{app}-tls", namespace, created, {"app": app}),
                                    "data": {"tls.crt": "", "tls.key": ""}})

    def service(self, namespace, name, selector, port, pods, created, headless=False):
        cluster_ip = "None" if headless else f"172.20.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"
        self.add("v1/services", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": self.meta(name, namespace, created - 7 * 86400, dict(selector)),
            "spec": {"ports": [{"name": port.get("name", "http"), "protocol": "TCP",
                                "port": port["containerPort"] if headless else 80, "targetPort": port.get("name") or port["containerPort"]}],
                     "selector": selector, "clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "type": "ClusterIP",
                     "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                     "internalTrafficPolicy": "Cluster"},
            "status": {"loadBalancer": {}}})
        endpoints = []
        for pod in pods:
            if is_terminal(pod) or not pod["status"].get("podIP"):
                continue
            ready = is_ready(pod)
            endpoints.append({"addresses": [pod["status"]["podIP"]],
                              "conditions": {"ready": ready, "serving": ready, "terminating": False},
                              "nodeName": pod["spec"].get("nodeName"), "zone": "eu-west-1a",
                              "targetRef": {"kind": "Pod", "namespace": namespace, "name": pod["metadata"]["name"],
                                            "uid": pod["metadata"]["uid"]}})
        self.add("discovery.k8s.io/v1/endpointslices", {
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
            "metadata": self.meta(f"{name}-{''.join(self.rng.choice('bcdfghjklmnpqrstvwxz2456789') for _ in range(5))}",
                                  namespace, created, {"kubernetes.io/service-name": name,
                                                       "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}),
            "endpoints": endpoints,
            "ports": [{"name": port.get("name", "http"), "protocol": "TCP", "port": port["containerPort"]}]})

    def statefulset(self, namespace, name, uid, pods, created):
        labels = pods[0]["metadata"]["labels"]
        revision = labels.get("controller-revision-hash", "")
        replicas, ready = self.replica_status(pods)
        replicas = len(pods)
        template = pod_template(pods[0], drop_labels=("apps.kubernetes.io/pod-index", "controller-revision-hash",
                                                      "statefulset.kubernetes.io/pod-name"))
        claims = any(volume.get("persistentVolumeClaim") for volume in pods[0]["spec"].get("volumes", []))
        template["spec"]["volumes"] = [volume for volume in template["spec"]["volumes"] if not volume.get("persistentVolumeClaim")]
        claim_spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}},
                      "storageClassName": "gp3", "volumeMode": "Filesystem"}
        spec = {"replicas": replicas, "selector": {"matchLabels": {"app": labels["app"]}}, "serviceName": name,
                "template": template, "podManagementPolicy": "OrderedReady",
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}, "revisionHistoryLimit": 10,
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"}}
        if claims:
            spec["volumeClaimTemplates"] = [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                                             "spec": claim_spec, "status": {"phase": "Pending"}}]
        self.add("apps/v1/statefulsets", {
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {**self.meta(name, namespace, created, {"app": labels["app"]}), "uid": uid, "generation": 1},
            "spec": spec,
            "status": {"observedGeneration": 1, "replicas": replicas, "readyReplicas": ready, "currentReplicas": replicas,
                       "updatedReplicas": replicas, "availableReplicas": ready, "currentRevision": revision,
                       "updateRevision": revision, "collisionCount": 0}})
        ports = template["spec"]["containers"][0].get("ports")
        if ports:
            self.service(namespace, name, {"app": labels["app"]}, ports[0], pods, created, headless=True)
        for pod in pods:
            for volume in pod["spec"].get("volumes", []):
                claim = volume.get("persistentVolumeClaim")
                if not claim:
                    continue
                volume_name = f"pvc-{self.uid()}"
                claim_meta = self.meta(claim["claimName"], namespace, created, {"app": labels["app"]},
                                       annotations={"pv.kubernetes.io/bind-completed": "yes",
                                                    "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com",
                                                    "volume.kubernetes.io/selected-node": pod["spec"].get("nodeName", "")},
                                       finalizers=["kubernetes.io/pvc-protection"])
                self.add("v1/persistentvolumeclaims", {
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": claim_meta,
                    "spec": {**claim_spec, "volumeName": volume_name},
                    "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "20Gi"}}})
                self.add("v1/persistentvolumes", {
                    "apiVersion": "v1", "kind": "PersistentVolume",
                    "metadata": self.meta(volume_name, None, created, annotations={"pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com"},
                                          finalizers=["kubernetes.io/pv-protection", "external-attacher/ebs-csi-aws-com"]),
                    "spec": {"capacity": {"storage": "20Gi"}, "accessModes": ["ReadWriteOnce"],
                             "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "gp3", "volumeMode": "Filesystem",
                             "claimRef": {"kind": "PersistentVolumeClaim", "namespace": namespace, "name": claim["claimName"],
                                          "uid": claim_meta["uid"], "apiVersion": "v1"},
                             "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": f"vol-{self.rng.getrandbits(68):017x}",
                                     "fsType": "ext4"}},
                    "status": {"phase": "Bound"}})

    def daemonset(self, namespace, name, uid, pods, created):
        labels = {key: value for key, value in pods[0]["metadata"]["labels"].items() if key == "app.kubernetes.io/name"}
        desired = len(self.nodes)
        _, ready = self.replica_status(pods)
        self.add("apps/v1/daemonsets", {
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {**self.meta(name, namespace, created, dict(labels)), "uid": uid, "generation": 1,
                         "annotations": {"deprecated.daemonset.template.generation": "1"}},
            "spec": {"selector": {"matchLabels": labels},
                     "template": pod_template(pods[0], drop_labels=("controller-revision-hash", "pod-template-generation")),
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
                     "revisionHistoryLimit": 10},
            "status": {"currentNumberScheduled": len(pods), "numberMisscheduled": 0, "desiredNumberScheduled": desired,
                       "numberReady": ready, "observedGeneration": 1, "updatedNumberScheduled": len(pods),
                       "numberAvailable": ready}})

    def job(self, namespace, name, uid, pods, created):
        pod = pods[0]
        cron = name.rsplit("-", 1)[0]
        cron_uid = self.uid()
        phase = pod["status"]["phase"]
        labels = {key: value for key, value in pod["metadata"]["labels"].items()}
        status = {"startTime": iso(created), "uncountedTerminatedPods": {}, "ready": 0, "terminating": 0}
        if phase == "Succeeded":
            status.update({"succeeded": 1, "completionTime": iso(created + 3600), "conditions": [
                {"type": "SuccessCriteriaMet", "status": "True", "lastProbeTime": iso(created + 3600),
                 "lastTransitionTime": iso(created + 3600), "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"},
                {"type": "Complete", "status": "True", "lastProbeTime": iso(created + 3600),
                 "lastTransitionTime": iso(created + 3600), "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"}]})
        elif phase == "Failed":
            status.update({"failed": 7, "conditions": [
                {"type": "FailureTarget", "status": "True", "lastProbeTime": iso(created + 3600),
                 "lastTransitionTime": iso(created + 3600), "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"},
                {"type": "Failed", "status": "True", "lastProbeTime": iso(created + 3600),
                 "lastTransitionTime": iso(created + 3600), "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]})
        else:
            status.update({"active": 1, "ready": 1 if is_ready(pod) else 0})
        template = pod_template(pod)
        self.add("batch/v1/jobs", {
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {**self.meta(name, namespace, created, labels), "uid": uid, "generation": 1,
                         "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": iso(created)},
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": cron, "uid": cron_uid,
                                              "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
                     "suspend": False, "podReplacementPolicy": "TerminatingOrFailed",
                     "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}, "template": template},
            "status": status})
        job_template = copy.deepcopy(template)
        job_template["metadata"]["labels"] = {}
        cron_status = {"lastScheduleTime": iso(created)}
        if phase == "Succeeded":
            cron_status["lastSuccessfulTime"] = iso(created + 3600)
        if phase == "Running":
            cron_status["active"] = [{"kind": "Job", "namespace": namespace, "name": name, "uid": uid, "apiVersion": "batch/v1"}]
        self.add("batch/v1/cronjobs", {
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {**self.meta(cron, namespace, created - 30 * 86400), "uid": cron_uid, "generation": 1},
            "spec": {"schedule": "17 * * * *", "concurrencyPolicy": "Forbid", "suspend": False,
                     "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                     "jobTemplate": {"metadata": {}, "spec": {"backoffLimit": 6, "template": job_template}}},
            "status": cron_status})

    def namespaces(self):
        by_namespace = collections.defaultdict(list)
        for pod in self.pods:
            by_namespace[pod["metadata"]["namespace"]].append(pod)
        for namespace in self.objects["namespaces"]:
            name = namespace["metadata"]["name"]
            created = parse_iso(namespace["metadata"]["creationTimestamp"])
            self.add("v1/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                       "metadata": self.meta("kube-root-ca.crt", name, created,
                                                             annotations={"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}),
                                       "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"}})
            if not name.startswith("team-"):
                continue
            pods = [pod for pod in by_namespace[name] if not is_terminal(pod)]
            cpu = sum(quantity(container.get("resources", {}).get("requests", {}).get("cpu", "0"))
                      for pod in pods for container in pod["spec"]["containers"])
            memory = sum(quantity(container.get("resources", {}).get("requests", {}).get("memory", "0"))
                         for pod in pods for container in pod["spec"]["containers"])
            hard = {"pods": "50", "requests.cpu": "16", "requests.memory": "32Gi"}
            self.add("v1/resourcequotas", {"apiVersion": "v1", "kind": "ResourceQuota",
                                           "metadata": self.meta("compute", name, created),
                                           "spec": {"hard": hard},
                                           "status": {"hard": hard, "used": {"pods": str(len(pods)), "requests.cpu": f"{int(cpu * 1000)}m",
                                                                             "requests.memory": f"{int(memory / 1024 ** 2)}Mi"}}})
            self.add("v1/limitranges", {"apiVersion": "v1", "kind": "LimitRange",
                                        "metadata": self.meta("defaults", name, created),
                                        "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
                                                             "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                                                             "max": {"cpu": "4", "memory": "8Gi"}}]}})
        self.add("networking.k8s.io/v1/networkpolicies", {
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {**self.meta("default-deny-ingress", "payments", time.time() - 60 * 86400), "generation": 1},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})

    def leases(self):
        now = time.time()
        for node in self.objects["nodes"]:
            name = node["metadata"]["name"]
            self.add("coordination.k8s.io/v1/leases", {
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {**self.meta(name, "kube-node-lease", parse_iso(node["metadata"]["creationTimestamp"])),
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name, "uid": node["metadata"]["uid"]}]},
                "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": micro(now)}})
        for component in ("kube-controller-manager", "kube-scheduler"):
            self.add("coordination.k8s.io/v1/leases", {
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": self.meta(component, "kube-system", now - 90 * 86400),
                "spec": {"holderIdentity": f"ip-10-0-0-10.eu-west-1.compute.internal_{self.uid()}", "leaseDurationSeconds": 15,
                         "acquireTime": micro(now - 86400), "renewTime": micro(now), "leaseTransitions": 3}})


# ---------------------------------------------------------------------------------
# simulate: events over time


class ControlAPI:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def post(self, path, body):
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def upsert(self, resource, document, group=""):
        answer = self.post("/objects", {"resource": resource, "group": group, "object": document})
        document["metadata"]["resourceVersion"] = answer.get("resourceVersion", document["metadata"].get("resourceVersion"))
        return document

    def delete(self, resource, namespace, name):
        self.post("/delete", {"resource": resource, "namespace": namespace, "name": name})


def reference(document, api_version="v1", field_path=None):
    meta = document["metadata"]
    ref = {"kind": document.get("kind", "Pod"), "namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"],
           "apiVersion": api_version, "resourceVersion": str(meta.get("resourceVersion", ""))}
    if field_path:
        ref["fieldPath"] = field_path
    return ref


class Events:
    """Writes events as the recorders do: a new event per (object, reason, message), and
    on a repeat the same event with its count (or, for events.k8s.io writers such as the
    scheduler, its series count) one higher."""

    def __init__(self, api, rng):
        self.api, self.rng = api, rng
        self.known = {}      # (object uid, field path, reason, message) -> event
        self.updated = {}    # (namespace, name) -> when last written

    def name(self, object_name):
        return f"{object_name}.{time.time_ns():x}"  # the recorders' name: <object>.<UnixNano in hex>

    def kubelet(self, pod, reason, message, type_="Normal", container=None):
        field_path = f"spec.containers{{{container}}}" if container else None
        node = pod["spec"].get("nodeName", "")
        return self.core(reference(pod, field_path=field_path), reason, message, type_,
                         {"component": "kubelet", "host": node}, "kubelet", node)

    def controller(self, document, api_version, component, reason, message, type_="Normal"):
        return self.core(reference(document, api_version), reason, message, type_, {"component": component}, component, "")

    def core(self, involved, reason, message, type_, source, component, instance):
        now = time.time()
        key = (involved["uid"], involved.get("fieldPath"), reason, message)
        event = self.known.get(key)
        if event is None:
            event = {"apiVersion": "v1", "kind": "Event",
                     "metadata": {"name": self.name(involved["name"]), "namespace": involved["namespace"],
                                  "uid": str(uuid.uuid4()), "creationTimestamp": iso(now)},
                     "involvedObject": involved, "reason": reason, "message": message, "source": source,
                     "firstTimestamp": iso(now), "lastTimestamp": iso(now), "count": 1, "type": type_,
                     "eventTime": None, "reportingComponent": component, "reportingInstance": instance}
            self.known[key] = event
        else:
            event["count"] += 1
            event["lastTimestamp"] = iso(now)
            event["involvedObject"] = involved
        return self.write(event)

    def scheduler(self, pod, reason, message, type_="Normal", action="Binding"):
        """An events.k8s.io event as core/v1 shows it: eventTime, no count, and a series on repeats."""
        now = time.time()
        involved = reference(pod)
        key = (involved["uid"], None, reason, message)
        event = self.known.get(key)
        if event is None:
            event = {"apiVersion": "v1", "kind": "Event",
                     "metadata": {"name": self.name(involved["name"]), "namespace": involved["namespace"],
                                  "uid": str(uuid.uuid4()), "creationTimestamp": iso(now)},
                     "involvedObject": involved, "reason": reason, "message": message, "source": {},
                     "firstTimestamp": None, "lastTimestamp": None, "type": type_, "eventTime": micro(now),
                     "action": action, "reportingComponent": "default-scheduler",
                     "reportingInstance": "default-scheduler-ip-10-0-0-10"}
            self.known[key] = event
        else:
            series = event.setdefault("series", {"count": 1})
            series["count"] += 1
            series["lastObservedTime"] = micro(now)
        return self.write(event)

    def write(self, event):
        self.api.upsert("events", event)
        self.updated[(event["metadata"]["namespace"], event["metadata"]["name"])] = time.time()
        return event

    def expire(self, ttl=3600):
        """Deletes events not updated for `ttl` seconds, as the API server's TTL does."""
        cutoff = time.time() - ttl
        for (namespace, name), when in list(self.updated.items()):
            if when < cutoff:
                self.api.delete("events", namespace, name)
                del self.updated[(namespace, name)]
                self.known = {key: event for key, event in self.known.items()
                              if (event["metadata"]["namespace"], event["metadata"]["name"]) != (namespace, name)}


def suffix(rng, length=5):
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(length))


class Stories:
    """Each story is a generator: it writes what happens next and yields how many
    seconds until the step after."""

    def __init__(self, api, objects, derived, rng, pace):
        self.api, self.rng, self.pace = api, rng, pace
        self.events = Events(api, rng)
        self.pods = {pod["metadata"]["uid"]: pod for pod in objects["pods"]}
        self.replicasets = {rs["metadata"]["uid"]: rs for rs in derived["apps/v1/replicasets"]}
        # pod UID -> the EndpointSlice listing it, kept in step as pods are replaced
        self.slices = {endpoint["targetRef"]["uid"]: slice_ for slice_ in derived["discovery.k8s.io/v1/endpointslices"]
                       for endpoint in slice_["endpoints"]}

    def wait(self, seconds):
        return seconds * self.pace * self.rng.uniform(0.7, 1.3)

    def running(self, pod):
        return pod["status"]["phase"] == "Running" and is_ready(pod)

    def replace_pods(self):
        """A Deployment's pod deleted (a `kubectl delete pod`, a node drain) and its
        replacement created, scheduled, pulled and started."""
        yield self.wait(3)
        while True:
            candidates = [pod for pod in self.pods.values() if owner_of(pod).get("kind") == "ReplicaSet" and self.running(pod)]
            if not candidates:
                return
            old = self.rng.choice(candidates)
            replicaset = self.replicasets.get(owner_of(old)["uid"])
            for container in old["spec"]["containers"]:
                self.events.kubelet(old, "Killing", f"Stopping container {container['name']}", container=container["name"])
            yield self.wait(1)
            self.api.delete("pods", old["metadata"]["namespace"], old["metadata"]["name"])
            del self.pods[old["metadata"]["uid"]]
            new = self.new_pod(old)
            self.pods[new["metadata"]["uid"]] = new
            self.api.upsert("pods", new)
            if replicaset:
                self.events.controller(replicaset, "apps/v1", "replicaset-controller", "SuccessfulDelete",
                                       f"Deleted pod: {old['metadata']['name']}")
                self.events.controller(replicaset, "apps/v1", "replicaset-controller", "SuccessfulCreate",
                                       f"Created pod: {new['metadata']['name']}")
            yield self.wait(0.5)
            namespace, name = new["metadata"]["namespace"], new["metadata"]["name"]
            self.events.scheduler(new, "Scheduled", f"Successfully assigned {namespace}/{name} to {new['spec']['nodeName']}")
            yield self.wait(1)
            for container in new["spec"]["containers"]:
                image = container["image"]
                if self.rng.random() < 0.5:
                    self.events.kubelet(new, "Pulled", f'Container image "{image}" already present on machine',
                                        container=container["name"])
                else:
                    self.events.kubelet(new, "Pulling", f'Pulling image "{image}"', container=container["name"])
                    pull = self.rng.uniform(0.8, 6.0)
                    yield self.wait(pull / 2)
                    size = self.rng.randrange(20_000_000, 400_000_000)
                    self.events.kubelet(new, "Pulled", f'Successfully pulled image "{image}" in {pull:.3f}s '
                                        f"({pull:.3f}s including waiting). Image size: {size} bytes.",
                                        container=container["name"])
                self.events.kubelet(new, "Created", f"Created container {container['name']}", container=container["name"])
                self.events.kubelet(new, "Started", f"Started container {container['name']}", container=container["name"])
            yield self.wait(2)
            self.start(new)
            self.api.upsert("pods", new)
            self.move_endpoint(old, new)
            yield self.wait(12)

    def move_endpoint(self, old, new):
        """The endpointslice controller's part: the new pod's address in place of the old one's."""
        slice_ = self.slices.pop(old["metadata"]["uid"], None)
        if slice_ is None:
            return
        for endpoint in slice_["endpoints"]:
            if endpoint["targetRef"]["uid"] == old["metadata"]["uid"]:
                endpoint["addresses"] = [new["status"]["podIP"]]
                endpoint["nodeName"] = new["spec"]["nodeName"]
                endpoint["targetRef"] = {"kind": "Pod", "namespace": new["metadata"]["namespace"],
                                         "name": new["metadata"]["name"], "uid": new["metadata"]["uid"]}
        self.slices[new["metadata"]["uid"]] = slice_
        self.api.upsert("endpointslices", slice_, group="discovery.k8s.io")

    def new_pod(self, old):
        now = time.time()
        new = copy.deepcopy(old)
        meta = new["metadata"]
        meta["name"] = meta["generateName"] + suffix(self.rng)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = iso(now)
        meta.pop("resourceVersion", None)
        meta.pop("managedFields", None)
        status = new["status"]
        status["phase"] = "Pending"
        status["startTime"] = iso(now)
        status.pop("podIP", None)
        status.pop("podIPs", None)
        for item in status.get("conditions", []):
            item["lastTransitionTime"] = iso(now)
            if item["type"] in ("Ready", "ContainersReady", "PodReadyToStartContainers"):
                item["status"] = "False"
        for container_status in status.get("containerStatuses", []):
            container_status.update({"state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {},
                                     "ready": False, "restartCount": 0, "started": False})
            container_status.pop("containerID", None)
        return new

    def start(self, pod):
        now = time.time()
        status = pod["status"]
        status["phase"] = "Running"
        ip = f"10.64.{self.rng.randrange(3)}.{self.rng.randrange(2, 254)}"
        status["podIP"], status["podIPs"] = ip, [{"ip": ip}]
        for item in status.get("conditions", []):
            item.pop("reason", None)
            item.pop("message", None)
            item["status"] = "True"
            item["lastTransitionTime"] = iso(now)
        for container_status in status.get("containerStatuses", []):
            container_status.update({"state": {"running": {"startedAt": iso(now)}}, "ready": True, "started": True,
                                     "containerID": f"containerd://{self.rng.getrandbits(256):064x}"})

    def crash_loop(self, pod):
        """A container that exits at once: the kubelet restarts it with growing back-off."""
        yield self.wait(self.rng.uniform(2, 8))
        statuses = pod["status"].get("containerStatuses", [])
        container = next((item for item in statuses if "waiting" in item.get("state", {})), statuses[0] if statuses else None)
        if container is None:
            return
        name = container["name"]
        image = next(item["image"] for item in pod["spec"]["containers"] if item["name"] == name)
        while pod["metadata"]["uid"] in self.pods:
            for _ in range(self.rng.randrange(2, 5)):
                self.events.kubelet(pod, "BackOff", f"Back-off restarting failed container {name} in pod "
                                    f"{pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
                                    "Warning", container=name)
                yield self.wait(5)
            self.events.kubelet(pod, "Pulled", f'Container image "{image}" already present on machine', container=name)
            self.events.kubelet(pod, "Created", f"Created container {name}", container=name)
            self.events.kubelet(pod, "Started", f"Started container {name}", container=name)
            container["restartCount"] = container.get("restartCount", 0) + 1
            container["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": iso(time.time() - 1),
                                                     "finishedAt": iso(time.time()),
                                                     "containerID": container.get("containerID", "")}}
            self.api.upsert("pods", pod)
            yield self.wait(4)

    def unhealthy(self, pod):
        """A readiness probe that keeps failing."""
        yield self.wait(self.rng.uniform(2, 8))
        container = pod["spec"]["containers"][0]["name"]
        status = self.rng.choice([503, 500])
        while pod["metadata"]["uid"] in self.pods:
            self.events.kubelet(pod, "Unhealthy", f"Readiness probe failed: HTTP probe failed with statuscode: {status}",
                                "Warning", container=container)
            yield self.wait(7)

    def unschedulable(self, pod):
        """A pod no node has room for: the scheduler retries and says why."""
        yield self.wait(self.rng.uniform(2, 8))
        message = next((item.get("message") for item in pod["status"].get("conditions", [])
                        if item["type"] == "PodScheduled" and item.get("message")), "0/3 nodes are available: 3 Insufficient cpu.")
        while pod["metadata"]["uid"] in self.pods:
            self.events.scheduler(pod, "FailedScheduling", message, "Warning", action="Scheduling")
            yield self.wait(12)

    def all(self):
        stories = [self.replace_pods()]
        pods = list(self.pods.values())
        crashing = [pod for pod in pods if any(item.get("state", {}).get("waiting", {}).get("reason") == "CrashLoopBackOff"
                                               for item in pod["status"].get("containerStatuses", []))]
        unready = [pod for pod in pods if pod["status"]["phase"] == "Running" and not is_ready(pod) and pod not in crashing]
        pending = [pod for pod in pods if pod["status"]["phase"] == "Pending" and not pod["spec"].get("nodeName")]
        stories += [self.crash_loop(pod) for pod in crashing[:2]]
        stories += [self.unhealthy(pod) for pod in unready[:2]]
        stories += [self.unschedulable(pod) for pod in pending[:1]]
        return stories


def run_stories(stories, events, stop):
    due = [(time.monotonic(), index) for index in range(len(stories))]
    last_expiry = time.monotonic()
    while due and not stop.is_set():
        due.sort()
        when, index = due.pop(0)
        if stop.wait(max(0.0, when - time.monotonic())):
            return
        try:
            delay = next(stories[index])
        except StopIteration:
            continue
        due.append((time.monotonic() + delay, index))
        if time.monotonic() - last_expiry > 60:
            events.expire()
            last_expiry = time.monotonic()


def simulate(arguments):
    os.makedirs(arguments.dir, exist_ok=True)
    generated = os.path.join(arguments.dir, "generated.json")
    python = sys.executable
    subprocess.run([python, FAKE_APISERVER, "--synthetic-pods", str(arguments.pods), "--nodes", str(arguments.nodes),
                    "--seed", str(arguments.seed), "--dump-objects", generated], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(generated) as handle:
        objects = json.load(handle)
    rng = random.Random(arguments.seed)
    derived = Derived(objects, rng).build()
    cluster = os.path.join(arguments.dir, "cluster.json")
    with open(cluster, "w") as handle:
        json.dump({**objects, **derived}, handle)

    # The fake server stops by itself when this process exits (its parent watch). Its own
    # session keeps Ctrl-C away from it (it handles SIGINT): the demo's trap stops Telegen
    # first, whose watches would otherwise see the API server vanish.
    server = subprocess.Popen([python, FAKE_APISERVER, "--plaintext", "--port", "0", "--control-port", "0",
                               "--objects", cluster, "--max-history", "100000"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    line = server.stdout.readline()
    if not line.startswith("READY"):
        sys.exit(f"the fake API server did not start: {line!r}")
    _, port, control_port = line.split()
    with open(os.path.join(arguments.dir, "kubeconfig"), "w") as handle:
        handle.write(f"""apiVersion: v1
kind: Config
clusters: [{{name: telegen-demo, cluster: {{server: "http://127.0.0.1:{port}"}}}}]
users: [{{name: demo, user: {{token: demo}}}}]
contexts: [{{name: telegen-demo, context: {{cluster: telegen-demo, user: demo}}}}]
current-context: telegen-demo
""")
    counts = collections.Counter({label.rsplit("/", 1)[-1]: len(items) for label, items in {**objects, **derived}.items()})
    summary = ", ".join(f"{counts[kind]} {kind}" for kind in
                        ("nodes", "pods", "deployments", "statefulsets", "daemonsets", "jobs", "services") if counts[kind])
    with open(os.path.join(arguments.dir, "ready.tmp"), "w") as handle:
        handle.write(f"READY {port} {control_port}\n{summary}, ... ({sum(counts.values())} objects of {len(counts)} kinds)\n")
    os.rename(os.path.join(arguments.dir, "ready.tmp"), os.path.join(arguments.dir, "ready"))

    stop = threading.Event()
    # SIGTERM only: the demo starts this in the background, where SIGINT is ignored, so
    # that Ctrl-C reaches the demo alone and its trap stops Telegen before its peers.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    parent = os.getppid()

    def watch_parent():  # the demo's trap stops this process; if the demo is killed, stop anyway
        while not stop.wait(0.5):
            if os.getppid() != parent or server.poll() is not None:
                stop.set()
    threading.Thread(target=watch_parent, daemon=True).start()

    api = ControlAPI(int(control_port))
    stories = Stories(api, objects, derived, rng, arguments.events_every)
    try:
        run_stories(stories.all(), stories.events, stop)
        stop.wait()
    except KeyboardInterrupt:
        pass
    except (OSError, urllib.error.URLError) as error:
        if not stop.is_set():
            print(f"demo cluster: the fake API server stopped answering: {error}", file=sys.stderr)
            return 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


def main():
    # Started from a process that blocks signals (Swift's Process, in the demo's test),
    # SIGTERM would otherwise never reach this process.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description="The cluster of scripts/demo.")
    commands = parser.add_subparsers(dest="command", required=True)
    probe_parser = commands.add_parser("probe")
    probe_parser.add_argument("--timeout", type=float, default=3)
    simulate_parser = commands.add_parser("simulate")
    simulate_parser.add_argument("--dir", required=True)
    simulate_parser.add_argument("--pods", type=int, default=80)
    simulate_parser.add_argument("--nodes", type=int, default=3)
    # Seed 4 gives every kind the generator makes at 80 pods: Deployments, StatefulSets,
    # DaemonSets and Jobs, with crash-looping, unready and unschedulable pods among them.
    simulate_parser.add_argument("--seed", type=int, default=4)
    simulate_parser.add_argument("--events-every", type=float, default=1.0,
                                 help="scales the pauses between events (1: about one event a second)")
    arguments = parser.parse_args()
    sys.exit(probe(arguments) if arguments.command == "probe" else simulate(arguments))


if __name__ == "__main__":
    main()
