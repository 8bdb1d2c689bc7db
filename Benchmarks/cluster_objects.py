"""Writes an --objects file for the fake API server: every kube-state kind but pods (the
server's --synthetic-pods makes those), as many of each as a cluster of N pods typically
holds, each a copy of one of the kind's test fixtures (Tests/Fixtures/kubestate/<kind>)
with its own name, namespace and UID.

    python3 Benchmarks/cluster_objects.py --pods 10000 > /tmp/cluster.json
"""
import argparse
import json
import os
import random
import sys
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests/Fixtures/kubestate")

# Objects per 10 000 pods, from the shape of large clusters (one Deployment per ~10 pods,
# three ReplicaSet revisions each, a Service, Endpoints and EndpointSlice per Deployment,
# ConfigMaps and Secrets twice that, the RBAC objects an operator-heavy cluster carries).
PER_10K_PODS = {
    "deployments": 1000, "replicasets": 3000, "statefulsets": 50, "daemonsets": 10, "jobs": 200, "cronjobs": 50,
    "services": 1000, "endpoints": 1000, "endpointslices": 1000, "configmaps": 2000, "secrets": 2000,
    "serviceaccounts": 1000, "persistentvolumeclaims": 300, "persistentvolumes": 300, "ingresses": 100,
    "horizontalpodautoscalers": 100, "poddisruptionbudgets": 100, "networkpolicies": 100, "roles": 200,
    "rolebindings": 300, "clusterroles": 100, "clusterrolebindings": 100, "leases": 100, "resourcequotas": 20,
    "limitranges": 20, "replicationcontrollers": 5, "storageclasses": 5, "volumeattachments": 100,
    "ingressclasses": 3, "certificatesigningrequests": 20, "mutatingwebhookconfigurations": 10,
    "validatingwebhookconfigurations": 10, "mutatingadmissionpolicies": 5, "mutatingadmissionpolicybindings": 5,
    "validatingadmissionpolicies": 5, "validatingadmissionpolicybindings": 5,
}
NAMESPACES = [f"team-{index:02d}" for index in range(20)]


def kinds():
    with open(os.path.join(FIXTURES, "identity-labels.tsv")) as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle][1:]
    return {row[0]: (row[1], row[2], row[4] == "yes") for row in rows}


def fixtures(kind):
    directory = os.path.join(FIXTURES, kind)
    objects = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            with open(os.path.join(directory, name)) as handle:
                document = json.load(handle)
            if isinstance(document.get("object"), dict):
                objects.append(document["object"])
    return objects


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    out = {}
    for kind, (group, version, namespaced) in sorted(kinds().items()):
        count = PER_10K_PODS.get(kind, 0) * options.pods // 10000
        templates = fixtures(kind)
        if not count or not templates:
            continue
        documents = []
        for index in range(count):
            document = json.loads(json.dumps(templates[index % len(templates)]))
            metadata = document.setdefault("metadata", {})
            metadata["name"] = f"{kind}-{index}"
            metadata["uid"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            metadata["creationTimestamp"] = "2024-05-01T10:00:00Z"
            metadata.pop("resourceVersion", None)
            if namespaced:
                metadata["namespace"] = NAMESPACES[index % len(NAMESPACES)]
            else:
                metadata.pop("namespace", None)
            documents.append(document)
        out[f"{group}/{version}/{kind}" if group else kind] = documents
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
