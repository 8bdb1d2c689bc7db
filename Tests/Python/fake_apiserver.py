"""A fake Kubernetes API server for Telegen's tests: HTTP/2 only (hyper-h2 on asyncio),
TLS with ALPN h2 or cleartext h2c with prior knowledge, serving generic resources from
memory with the list/watch semantics a client-go style reflector relies on.

API (the HTTP/2 port, --port):
    GET /api/v1/<resource>                          list / watch (cluster-wide)
    GET /api/v1/namespaces/<ns>/<resource>          list / watch in one namespace
    GET /apis/<group>/<version>/[namespaces/<ns>/]<resource>
    GET .../<resource>/<name>                       one object
    POST .../<resource>                             create (409 AlreadyExists when the name is taken)
    PUT .../<resource>/<name>                       update: metadata.resourceVersion must be the stored one
                                                    (409 Conflict otherwise; missing -> 422, as Leases refuse
                                                    unconditional updates); a Lease's spec is validated
    GET .../watch/...                               legacy watch prefix
    GET /version, /healthz, /livez, /readyz
  list:  limit, continue (base64url JSON {"v","rv","start"}; compacted rv -> 410 Expired),
         resourceVersion (unset: latest, paginated; "0": latest, limit ignored as the watch
         cache does; N: exact when limit is set or resourceVersionMatch=Exact, otherwise
         not-older-than), resourceVersionMatch, fieldSelector, labelSelector.
         remainingItemCount only without selectors (as etcd3 storage does).
         Responses of 128 KiB or more are gzipped when the request accepts gzip.
  watch: watch=true|1, resourceVersion (unset/"0": synthetic ADDED for the current state
         first; N: events after N replayed from history, then live; older than the last
         compaction: 200 + one ERROR 410 event + END_STREAM), allowWatchBookmarks,
         sendInitialEvents=true (+resourceVersionMatch=NotOlderThan: initial ADDED then a
         BOOKMARK annotated k8s.io/initial-events-end), timeoutSeconds (END_STREAM after
         it, with a last BOOKMARK when allowed). Selectors apply to events: an object that
         stops matching is sent as DELETED (previous content, the event's resourceVersion).
  Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1 (or
         as=PartialObjectMetadata) -> metadata-only lists, objects and watch events.
         application/json;as=Table;g=meta.k8s.io;v=v1 -> server-side Tables (kubectl's
         view): columnDefinitions (Name, Type, Data, Age for secrets; Name, Age otherwise)
         and rows of cells with the object's metadata (includeObject=Metadata, the default),
         for lists and for every watch event (a Table of one row, column definitions on
         the first event of a watch only); bookmarks are Tables without rows.

Options:
    --port P --host H --cert F --key F | --plaintext     the HTTP/2 listener
    --control-port P                                     the HTTP/1.1 control listener
    --record FILE        one JSON line per API request: time, connection, stream, method,
                         path, query, authority, headers, client_cert, verb, watch, resource,
                         group, namespace, status (and items, for lists)
    --token-file F       require "Authorization: Bearer <F stripped>" (F re-read every request)
    --client-ca F        require a client certificate signed by F (with --token-file: either
                         a valid client certificate or the token, as kube-apiserver's
                         union authenticator does)
    --user NAME          the user named in 403 messages (default system:serviceaccount:telegen:telegen)
    --objects F          preload {"pods":[...], "apps/v1/deployments":[...]}, a kubectl List
                         {"kind":"List","items":[...]} or one object (repeatable); objects
                         get fresh resourceVersions in file order
    --synthetic-pods N --nodes M --seed S   generate N realistic pods on M nodes (plus the
                         Node and Namespace objects)
    --dump-objects F     write what was loaded as an --objects file and exit
    --bookmark-interval S  periodic BOOKMARKs on watches that allow them (0: only on command)
    --watch-chunk N      split every watch event into DATA frames of at most N bytes
    --max-history N      keep at most N events (older ones are compacted away)
    --start-rv N         the resourceVersion of the empty store (default 1)
    --no-gzip            never compress responses
    --keep-without-parent  keep serving after the parent process exits (by default the
                         server stops then, so a crashed test leaves nothing behind)

Control API (HTTP/1.1 JSON on --control-port):
    POST /objects        {"resource","group"?,"version"?,"object"} or {"...","objects":[...]}
                         upsert (ADDED/MODIFIED); answers {"type","resourceVersion","object"}
    POST /delete         {"resource","group"?,"version"?,"namespace"?,"name"} -> DELETED
    POST /compact        forget history up to the current resourceVersion
    POST /drop-connections   reset every HTTP/2 connection (TCP RST)
    POST /goaway         send GOAWAY(NO_ERROR) on every connection
    POST /end-watches    {"resource"?} end watches cleanly (END_STREAM)
    POST /forbid         {"resource","group"?,"forbidden":bool}
    POST /bookmark       BOOKMARK now on every watch that allows them
    POST /fail-next      {"status":500|429|...,"count":N,"resource"?,"verb"?:"list|watch|get","message"?,
                         "bodyBytes"?: a Status body of about that size, its message padded}
    POST /expire-watches {"resource"?,"expired":bool} answer every new watch (of the resource) with
                         200 + one ERROR 410 event + END_STREAM, as after a compaction
    POST /stall-watches  {"resource"?,"stalled":bool} every new watch (of the resource) gets its 200 head
                         and then nothing: no event, no bookmark, no END_STREAM at timeoutSeconds;
                         the connection stays healthy (PINGs answered, other streams served)
    POST /oversized-event  {"resource"?,"bytes":N} start an event of N bytes without a newline on
                         every open watch (of the resource): the stream is useless afterwards
    POST /reset-failures clear pending /fail-next entries
    GET  /state          resourceVersion, compacted, counts, open watches, connections
    POST /churn          {"events":N,"target"?,"seed"?,"mix"?,"updates"?,"batch"?,"backlog"?} push N pod
                         watch events (creates, updates, deletes) paced by the pods watches, ending
                         at `target` pods (default: the current count); see PodChurn
    GET  /churn/status   its progress: done, counts per kind of change, pods, running, error
    GET  /churn/pods     every stored pod: uid, phase, labels, deletionTimestamp, containers'
                         restartCount and ready, parsed from the stored objects

Prints "READY <port> <control_port>" once both listen. Stops on SIGTERM/SIGINT.
"""
import argparse
import asyncio
import base64
import bisect
import collections
import concurrent.futures
import email.utils
import hashlib
import http.server
import json
import operator
import os
import random
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import zlib

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

# ---------------------------------------------------------------------------------
# JSON as kube-apiserver writes it (Go encoding/json: compact, UTF-8, HTML-escaped)

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_text(value):
    text = _ENCODER.encode(value)
    if "<" in text or ">" in text or "&" in text or "\u2028" in text or "\u2029" in text:
        text = (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return text


def dumps(value):
    return json_text(value).encode()


def timestamp(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def status_body(code, reason, message, details=None, metadata=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": metadata or {}, "status": "Failure",
            "message": message}
    if reason:
        body["reason"] = reason
    if details is not None:
        body["details"] = details
    body["code"] = code
    return dumps(body) + b"\n"


REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
           406: "NotAcceptable", 409: "Conflict", 410: "Expired", 422: "Invalid", 429: "TooManyRequests",
           500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"}

# ---------------------------------------------------------------------------------
# Resources

# (group, resource) -> (versions, kind, namespaced)
KNOWN = {
    ("", "pods"): (("v1",), "Pod", True),
    ("", "nodes"): (("v1",), "Node", False),
    ("", "namespaces"): (("v1",), "Namespace", False),
    ("", "services"): (("v1",), "Service", True),
    ("", "endpoints"): (("v1",), "Endpoints", True),
    ("", "events"): (("v1",), "Event", True),
    ("", "configmaps"): (("v1",), "ConfigMap", True),
    ("", "secrets"): (("v1",), "Secret", True),
    ("", "serviceaccounts"): (("v1",), "ServiceAccount", True),
    ("", "persistentvolumeclaims"): (("v1",), "PersistentVolumeClaim", True),
    ("", "persistentvolumes"): (("v1",), "PersistentVolume", False),
    ("", "replicationcontrollers"): (("v1",), "ReplicationController", True),
    ("", "resourcequotas"): (("v1",), "ResourceQuota", True),
    ("", "limitranges"): (("v1",), "LimitRange", True),
    ("apps", "deployments"): (("v1",), "Deployment", True),
    ("apps", "replicasets"): (("v1",), "ReplicaSet", True),
    ("apps", "statefulsets"): (("v1",), "StatefulSet", True),
    ("apps", "daemonsets"): (("v1",), "DaemonSet", True),
    ("apps", "controllerrevisions"): (("v1",), "ControllerRevision", True),
    ("batch", "jobs"): (("v1",), "Job", True),
    ("batch", "cronjobs"): (("v1",), "CronJob", True),
    ("autoscaling", "horizontalpodautoscalers"): (("v2", "v1"), "HorizontalPodAutoscaler", True),
    ("policy", "poddisruptionbudgets"): (("v1",), "PodDisruptionBudget", True),
    ("networking.k8s.io", "ingresses"): (("v1",), "Ingress", True),
    ("networking.k8s.io", "ingressclasses"): (("v1",), "IngressClass", False),
    ("networking.k8s.io", "networkpolicies"): (("v1",), "NetworkPolicy", True),
    ("discovery.k8s.io", "endpointslices"): (("v1",), "EndpointSlice", True),
    ("events.k8s.io", "events"): (("v1",), "Event", True),
    ("coordination.k8s.io", "leases"): (("v1",), "Lease", True),
    ("storage.k8s.io", "storageclasses"): (("v1",), "StorageClass", False),
    ("storage.k8s.io", "volumeattachments"): (("v1",), "VolumeAttachment", False),
    ("storage.k8s.io", "csinodes"): (("v1",), "CSINode", False),
    ("certificates.k8s.io", "certificatesigningrequests"): (("v1",), "CertificateSigningRequest", False),
    ("rbac.authorization.k8s.io", "roles"): (("v1",), "Role", True),
    ("rbac.authorization.k8s.io", "rolebindings"): (("v1",), "RoleBinding", True),
    ("rbac.authorization.k8s.io", "clusterroles"): (("v1",), "ClusterRole", False),
    ("rbac.authorization.k8s.io", "clusterrolebindings"): (("v1",), "ClusterRoleBinding", False),
    ("scheduling.k8s.io", "priorityclasses"): (("v1",), "PriorityClass", False),
    ("node.k8s.io", "runtimeclasses"): (("v1",), "RuntimeClass", False),
    ("apiextensions.k8s.io", "customresourcedefinitions"): (("v1",), "CustomResourceDefinition", False),
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): (("v1",), "MutatingWebhookConfiguration", False),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): (("v1",), "ValidatingWebhookConfiguration", False),
    ("admissionregistration.k8s.io", "mutatingadmissionpolicies"): (("v1",), "MutatingAdmissionPolicy", False),
    ("admissionregistration.k8s.io", "mutatingadmissionpolicybindings"): (("v1",), "MutatingAdmissionPolicyBinding", False),
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"): (("v1",), "ValidatingAdmissionPolicy", False),
    ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"): (("v1",), "ValidatingAdmissionPolicyBinding", False),
}
KIND_TO_RESOURCE = {}
for (_group, _resource), (_versions, _kind, _namespaced) in KNOWN.items():
    KIND_TO_RESOURCE.setdefault((_group, _kind), _resource)


def _path_getter(path, boolean=False):
    parts = path.split(".")

    def get(obj):
        value = obj
        for part in parts:
            if not isinstance(value, dict):
                value = None
                break
            value = value.get(part)
        if boolean:
            return "true" if value else "false"
        return "" if value is None else str(value)
    return get


# Field labels kube-apiserver accepts in fieldSelector, per (group, resource), besides
# metadata.name (and metadata.namespace for namespaced resources).
FIELD_LABELS = {
    ("", "pods"): {"spec.nodeName": _path_getter("spec.nodeName"),
                   "spec.restartPolicy": _path_getter("spec.restartPolicy"),
                   "spec.schedulerName": _path_getter("spec.schedulerName"),
                   "spec.serviceAccountName": _path_getter("spec.serviceAccountName"),
                   "spec.hostNetwork": _path_getter("spec.hostNetwork", boolean=True),
                   "status.phase": _path_getter("status.phase"),
                   "status.podIP": _path_getter("status.podIP"),
                   "status.nominatedNodeName": _path_getter("status.nominatedNodeName")},
    ("", "events"): {name: _path_getter(path) for name, path in [
        ("involvedObject.kind", "involvedObject.kind"), ("involvedObject.namespace", "involvedObject.namespace"),
        ("involvedObject.name", "involvedObject.name"), ("involvedObject.uid", "involvedObject.uid"),
        ("involvedObject.apiVersion", "involvedObject.apiVersion"),
        ("involvedObject.resourceVersion", "involvedObject.resourceVersion"),
        ("involvedObject.fieldPath", "involvedObject.fieldPath"), ("reason", "reason"),
        ("reportingComponent", "reportingComponent"), ("source", "source.component"), ("type", "type")]},
    ("", "nodes"): {"spec.unschedulable": _path_getter("spec.unschedulable", boolean=True)},
    ("", "namespaces"): {"status.phase": _path_getter("status.phase")},
    ("", "secrets"): {"type": _path_getter("type")},
    ("", "replicationcontrollers"): {"status.replicas": _path_getter("status.replicas")},
    ("apps", "replicasets"): {"status.replicas": _path_getter("status.replicas")},
    ("batch", "jobs"): {"status.successful": _path_getter("status.successful")},
}

META_ORDER = ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
              "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
              "ownerReferences", "finalizers", "managedFields"]


def ordered_metadata(meta):
    out = {key: meta[key] for key in META_ORDER if key in meta}
    for key, value in meta.items():
        if key not in out:
            out[key] = value
    return out


class Obj:
    """One stored object version. `body` is the JSON of the object without kind and
    apiVersion, as a list item: b'{"metadata":{...},...}'; body[12:meta_end] is the
    metadata. Versions are immutable: an update makes a new Obj."""
    __slots__ = ("key", "namespace", "name", "rv", "uid", "created", "labels", "fields", "body", "meta_end")

    def __init__(self, key, namespace, name, rv, uid, created, labels, fields, body, meta_end):
        self.key, self.namespace, self.name, self.rv = key, namespace, name, rv
        self.uid, self.created, self.labels, self.fields = uid, created, labels, fields
        self.body, self.meta_end = body, meta_end

    def with_rv(self, rv):
        old = b'"resourceVersion":"%d"' % self.rv
        new = b'"resourceVersion":"%d"' % rv
        return Obj(self.key, self.namespace, self.name, rv, self.uid, self.created, self.labels, self.fields,
                   self.body.replace(old, new, 1), self.meta_end + len(new) - len(old))

    def metadata(self):
        return self.body[12:self.meta_end]

    def to_dict(self):
        return json.loads(self.body)


class Store:
    def __init__(self, group, version, resource, kind, namespaced):
        self.group, self.version, self.resource, self.kind, self.namespaced = group, version, resource, kind, namespaced
        self.api_version = f"{group}/{version}" if group else version
        self.prefix = b'{"kind":"%s","apiVersion":"%s",' % (kind.encode(), self.api_version.encode())
        self.list_kind = (kind + "List").encode()
        self.objects = {}
        self.keys = []  # sorted, as etcd orders /registry/<resource>/<namespace>/<name>
        self.watches = set()
        self.getters = dict(FIELD_LABELS.get((group, resource), {}))

    @property
    def label(self):
        return self.resource if not self.group else f"{self.group}/{self.version}/{self.resource}"

    def key_for(self, namespace, name):
        return f"{namespace}/{name}" if self.namespaced else name

    def full(self, obj):
        return self.prefix + obj.body[1:]

    def make(self, document, rv):
        """An Obj from a dict (kind/apiVersion dropped, metadata ordered as Go does)."""
        meta = ordered_metadata(dict(document.get("metadata") or {}))
        meta["resourceVersion"] = str(rv)
        meta = ordered_metadata(meta)
        rest = {key: value for key, value in document.items() if key not in ("kind", "apiVersion", "metadata")}
        meta_bytes = dumps(meta)
        body = b'{"metadata":' + meta_bytes + ((b"," + dumps(rest)[1:]) if rest else b"}")
        namespace = meta.get("namespace", "") if self.namespaced else ""
        name = meta["name"]
        fields = {"metadata.name": name}
        if self.namespaced:
            fields["metadata.namespace"] = namespace
        for label, getter in self.getters.items():
            fields[label] = getter(document)
        return Obj(self.key_for(namespace, name), namespace, name, rv, meta.get("uid", ""),
                   meta.get("creationTimestamp"), dict(meta.get("labels") or {}), fields, body, 12 + len(meta_bytes))

    def put(self, obj):
        if obj.key not in self.objects:
            bisect.insort(self.keys, obj.key)
        self.objects[obj.key] = obj

    def remove(self, key):
        obj = self.objects.pop(key)
        index = bisect.bisect_left(self.keys, key)
        del self.keys[index]
        return obj

    def key_range(self, namespace):
        """Index range of `keys` inside a namespace (all keys without one)."""
        if not namespace:
            return 0, len(self.keys)
        return (bisect.bisect_left(self.keys, namespace + "/"), bisect.bisect_left(self.keys, namespace + "0"))


Event = collections.namedtuple("Event", "rv store type key obj prev")

# ---------------------------------------------------------------------------------
# Selectors


class SelectorError(Exception):
    pass


def split_unescaped(text, separator):
    parts, current, index = [], [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index:index + 2])
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def unescape_field_value(value):
    out, index = [], 0
    while index < len(value):
        if value[index] == "\\":
            if index + 1 >= len(value) or value[index + 1] not in "\\,=!":
                raise SelectorError(f"invalid field selector: invalid escape sequence in {value!r}")
            out.append(value[index + 1])
            index += 2
        else:
            out.append(value[index])
            index += 1
    return "".join(out)


def parse_field_selector(text, store):
    requirements = []
    for term in split_unescaped(text, ","):
        term = term.strip()
        if not term:
            continue
        for operator in ("!=", "==", "="):
            position = term.find(operator)
            if position > 0 and term[position - 1] != "\\":
                break
        else:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{term}'")
        field = term[:position].strip()
        value = unescape_field_value(term[position + len(operator):])
        allowed = {"metadata.name"} | ({"metadata.namespace"} if store.namespaced else set()) | set(store.getters)
        if field not in allowed:
            raise SelectorError(f'field label not supported: {field}')
        requirements.append((field, operator != "!=", value))
    return requirements


_LABEL_TOKEN_END = set(" \t,=!()<>")


def parse_label_selector(text):
    requirements, index, length = [], 0, len(text)

    def skip():
        nonlocal index
        while index < length and text[index] in " \t":
            index += 1

    def word():
        nonlocal index
        start = index
        while index < length and text[index] not in _LABEL_TOKEN_END:
            index += 1
        return text[start:index]

    def value_set():
        nonlocal index
        skip()
        if index >= length or text[index] != "(":
            raise SelectorError(f"unable to parse requirement: found '{text[index:]}', expected: '('")
        index += 1
        values = set()
        while True:
            skip()
            values.add(word())
            skip()
            if index < length and text[index] == ",":
                index += 1
                continue
            if index < length and text[index] == ")":
                index += 1
                return values
            raise SelectorError("unable to parse requirement: expected ',' or ')'")

    while True:
        skip()
        if index >= length:
            break
        if text[index] == "!":
            index += 1
            skip()
            key = word()
            if not key:
                raise SelectorError("unable to parse requirement: key expected after '!'")
            requirements.append(("!", key, None))
        else:
            key = word()
            if not key:
                raise SelectorError(f"unable to parse requirement: found '{text[index:]}', expected: identifier")
            skip()
            if index >= length or text[index] == ",":
                requirements.append(("exists", key, None))
            elif text.startswith("==", index) or text.startswith("!=", index):
                operator = text[index:index + 2]
                index += 2
                skip()
                requirements.append(("=" if operator == "==" else "!=", key, word()))
            elif text[index] == "=":
                index += 1
                skip()
                requirements.append(("=", key, word()))
            elif text[index] in "<>":
                operator = text[index]
                index += 1
                skip()
                number = word()
                try:
                    requirements.append((operator, key, int(number)))
                except ValueError:
                    raise SelectorError(f"for '{operator}' operator, the value must be an integer") from None
            elif text.startswith("notin", index) and (index + 5 >= length or text[index + 5] in " (\t"):
                index += 5
                requirements.append(("notin", key, value_set()))
            elif text.startswith("in", index) and (index + 2 >= length or text[index + 2] in " (\t"):
                index += 2
                requirements.append(("in", key, value_set()))
            else:
                raise SelectorError(f"unable to parse requirement: found '{text[index:]}', expected: in, notin, =, ==, !=, gt, lt")
        skip()
        if index < length:
            if text[index] != ",":
                raise SelectorError(f"found '{text[index]}', expected: ',' or 'end of string'")
            index += 1
    return requirements


def label_matches(labels, requirements):
    for operator, key, value in requirements:
        present = key in labels
        if operator == "=":
            if not present or labels[key] != value:
                return False
        elif operator == "!=":
            if present and labels[key] == value:
                return False
        elif operator == "exists":
            if not present:
                return False
        elif operator == "!":
            if present:
                return False
        elif operator == "in":
            if not present or labels[key] not in value:
                return False
        elif operator == "notin":
            if present and labels[key] in value:
                return False
        else:
            try:
                number = int(labels[key]) if present else None
            except ValueError:
                return False
            if number is None or (operator == ">" and not number > value) or (operator == "<" and not number < value):
                return False
    return True


def make_predicate(store, field_text, label_text):
    fields = parse_field_selector(field_text, store) if field_text else []
    labels = parse_label_selector(label_text) if label_text else []
    if not fields and not labels:
        return None

    def predicate(obj):
        for field, equal, value in fields:
            if (obj.fields.get(field, "") == value) != equal:
                return False
        return not labels or label_matches(obj.labels, labels)
    return predicate


# ---------------------------------------------------------------------------------
# Continue tokens (the etcd3 storage format: base64url JSON {"v","rv","start"})


def encode_continue(rv, start):
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_continue(token):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if data.get("v") != "meta.k8s.io/v1" or not isinstance(data.get("rv"), int) or not isinstance(data.get("start"), str):
            raise ValueError("bad continue token")
        return data["rv"], data["start"]
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"continue key is not valid: {error}") from None


INCONSISTENT_CONTINUE = ("The provided continue parameter is too old to display a consistent list result. You can "
                         "start a new list without the continue parameter, or use the continue token in this response "
                         "to retrieve the remainder of the results. Continuing with the provided token results in an "
                         "inconsistent list - objects that were created, modified, or deleted between the time the "
                         "first chunk was returned and now may show up in the list.")

# ---------------------------------------------------------------------------------
# Content negotiation


def negotiate(accept):
    """"full", ("meta", apiVersion) or None (nothing we can produce)."""
    if not accept:
        return "full"
    for part in accept.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        media = pieces[0].lower()
        params = {}
        for piece in pieces[1:]:
            if "=" in piece:
                name, _, value = piece.partition("=")
                params[name.strip().lower()] = value.strip()
        if media not in ("application/json", "application/*", "*/*"):
            continue
        as_kind = params.get("as")
        if not as_kind:
            return "full"
        if as_kind in ("PartialObjectMetadataList", "PartialObjectMetadata") and params.get("g") == "meta.k8s.io" \
                and params.get("v") in ("v1", "v1beta1"):
            return ("meta", "meta.k8s.io/" + params["v"])
        if as_kind == "Table" and params.get("g") == "meta.k8s.io" and params.get("v") in ("v1", "v1beta1"):
            return ("table", "meta.k8s.io/" + params["v"])
    return None


# ---------------------------------------------------------------------------------
# Server-side Tables


def table_columns(store):
    name = {"name": "Name", "type": "string", "format": "name",
            "description": "Name must be unique within a namespace.", "priority": 0}
    age = {"name": "Age", "type": "string", "format": "",
           "description": "CreationTimestamp is a timestamp representing the server time when this object was created.",
           "priority": 0}
    if store.resource == "secrets" and not store.group:
        return [name,
                {"name": "Type", "type": "string", "format": "", "description": "Used to facilitate programmatic handling of secret data.", "priority": 0},
                {"name": "Data", "type": "string", "format": "", "description": "Data contains the secret data.", "priority": 0},
                age]
    return [name, age]


def table_row(store, obj, api_version, include_object):
    document = obj.to_dict()
    age = "0s"
    if obj.created:
        try:
            created = time.mktime(time.strptime(obj.created, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
            seconds = max(0, int(time.time() - created))
        except (TypeError, ValueError):
            seconds = 0
        age = f"{seconds // 86400}d" if seconds >= 86400 else f"{seconds}s"
    if store.resource == "secrets" and not store.group:
        cells = [obj.name, document.get("type", "Opaque"), len(document.get("data") or {}), age]
    else:
        cells = [obj.name, age]
    row = b'{"cells":' + dumps(cells)
    if include_object != "None":
        row += b',"object":{"kind":"PartialObjectMetadata","apiVersion":"' + api_version.encode() + b'","metadata":' + \
            obj.metadata() + b"}"
    return row + b"}"


# ---------------------------------------------------------------------------------
# Watches


class Watch:
    def __init__(self, app, proto, stream_id, store, namespace, predicate, mode, bookmarks, query):
        self.app, self.proto, self.stream_id, self.store = app, proto, stream_id, store
        self.namespace, self.predicate, self.mode, self.bookmarks = namespace, predicate, mode, bookmarks
        self.query = query
        self.last_rv = 0
        self.timer = None
        self.closed = False
        self.columns_sent = False
        if mode == "full":
            self.bookmark_kind = store.prefix
        elif mode[0] == "table":
            self.bookmark_kind = b'{"kind":"Table","apiVersion":"%s","rows":[],' % mode[1].encode()
        else:
            self.bookmark_kind = b'{"kind":"PartialObjectMetadata","apiVersion":"%s",' % mode[1].encode()

    def encode(self, obj):
        if self.mode == "full":
            return self.store.full(obj)
        if self.mode[0] == "table":
            head = b'{"kind":"Table","apiVersion":"' + self.mode[1].encode() + b'","metadata":{"resourceVersion":"%d"}' % obj.rv
            if not self.columns_sent:
                head += b',"columnDefinitions":' + dumps(table_columns(self.store))
                self.columns_sent = True
            return head + b',"rows":[' + table_row(self.store, obj, self.mode[1], self.query.get("includeObject", "Metadata")) + b"]}"
        return self.bookmark_kind + b'"metadata":' + obj.metadata() + b"}"

    def line(self, kind, obj):
        return b'{"type":"' + kind + b'","object":' + self.encode(obj) + b"}\n"

    def passes(self, obj):
        return self.predicate is None or self.predicate(obj)

    def on_event(self, event):
        if self.closed:
            return
        if self.namespace and event.obj.namespace != self.namespace:
            return
        current = event.type != "DELETED" and self.passes(event.obj)
        previous = event.prev is not None and self.passes(event.prev)
        if current and previous:
            self.send(self.line(b"MODIFIED", event.obj))
        elif current:
            self.send(self.line(b"ADDED", event.obj))
        elif previous:
            obj = event.obj if event.type == "DELETED" else event.prev.with_rv(event.rv)
            self.send(self.line(b"DELETED", obj))
        self.last_rv = event.rv

    def send(self, data):
        self.proto.send_event(self.stream_id, data)

    def bookmark(self, initial_end=False):
        if self.closed:
            return
        self.last_rv = max(self.last_rv, self.app.rv)
        meta = b'{"resourceVersion":"%d"' % self.last_rv
        if initial_end:
            meta += b',"annotations":{"k8s.io/initial-events-end":"true"}'
        self.send(b'{"type":"BOOKMARK","object":' + self.bookmark_kind + b'"metadata":' + meta + b"}}}\n")

    def oversized(self, size):
        """The first `size` bytes of an ADDED event that never ends (no newline), in
        64 KiB pieces."""
        def pieces():
            yield b'{"type":"ADDED","object":{"metadata":{"name":"'
            left = size
            while left > 0:
                yield b"x" * min(left, 65536)
                left -= 65536
        self.proto.enqueue(self.stream_id, pieces())
        self.proto.flush(self.stream_id)
        self.proto.write()

    def error(self, code, reason, message):
        status = status_body(code, reason, message).rstrip(b"\n")
        self.send(b'{"type":"ERROR","object":' + status + b"}\n")

    def end(self, final_bookmark=False):
        """Ends the stream cleanly (END_STREAM)."""
        if self.closed:
            return
        if final_bookmark and self.bookmarks:
            self.bookmark()
        self.proto.finish(self.stream_id)
        self.close()

    def close(self):
        if self.closed:
            return
        self.closed = True
        if self.timer:
            self.timer.cancel()
        self.store.watches.discard(self)
        self.app.watches.discard(self)
        self.proto.watches.pop(self.stream_id, None)

    def describe(self):
        return {"connection": self.proto.number, "stream": self.stream_id, "resource": self.store.label,
                "namespace": self.namespace or "", "bookmarks": self.bookmarks,
                "metadataOnly": self.mode != "full", "table": self.mode != "full" and self.mode[0] == "table",
                "lastResourceVersion": str(self.last_rv),
                "query": self.query}


# ---------------------------------------------------------------------------------
# HTTP/2 connections

END = object()


class H2Protocol(asyncio.Protocol):
    def __init__(self, app):
        self.app = app
        self.transport = None
        self.conn = None
        self.number = 0
        self.outbound = {}   # stream id -> deque of bytes | generator | END
        self.requests = {}   # stream id -> headers
        self.bodies = {}     # stream id -> request body so far (POST, PUT)
        self.watches = {}    # stream id -> Watch
        self.paused = False
        self.closed = False
        self.client_cert = None
        self.unsent = 0

    # asyncio callbacks

    def connection_made(self, transport):
        self.transport = transport
        self.number = self.app.next_connection()
        self.app.protocols.add(self)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            if ssl_object.selected_alpn_protocol() != "h2":
                self.closed = True
                transport.close()
                return
            certificate = ssl_object.getpeercert()
            if certificate:
                subject = dict(item for group in certificate.get("subject", ()) for item in group)
                self.client_cert = subject.get("commonName", "")
        self.conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=False, header_encoding=None))
        self.conn.local_settings = h2.settings.Settings(client=False, initial_values={
            h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1000,
            h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: 1 << 20,
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20,
        })
        self.conn.initiate_connection()
        self.conn.increment_flow_control_window(1 << 24)
        self.write()

    def data_received(self, data):
        if self.closed:
            return
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            self.write()
            self.transport.close()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self.requests[event.stream_id] = [(name.decode("latin-1"), value.decode("utf-8", "replace"))
                                                  for name, value in event.headers]
                self.bodies[event.stream_id] = bytearray()
            elif isinstance(event, h2.events.DataReceived):
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                if event.stream_id in self.bodies:
                    self.bodies[event.stream_id] += event.data
            elif isinstance(event, h2.events.StreamEnded):
                headers = self.requests.pop(event.stream_id, None)
                body = bytes(self.bodies.pop(event.stream_id, b""))
                if headers is not None:
                    try:
                        self.app.handle(self, event.stream_id, headers, body)
                    except Exception as error:  # a bug in the fake: answer 500 rather than hang
                        print(f"fake_apiserver: error handling request: {error!r}", file=sys.stderr, flush=True)
                        try:
                            self.respond(event.stream_id, 500, status_body(500, "InternalError", f"fake apiserver: {error!r}"))
                        except h2.exceptions.H2Error:
                            pass
            elif isinstance(event, h2.events.StreamReset):
                self.stream_gone(event.stream_id)
            elif isinstance(event, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
                self.flush_all()
            elif isinstance(event, h2.events.ConnectionTerminated):
                self.write()
                self.transport.close()
                return
        self.flush_all()

    def connection_lost(self, exc):
        self.closed = True
        self.app.protocols.discard(self)
        for watch in list(self.watches.values()):
            watch.close()
        self.outbound.clear()

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.flush_all()

    # sending

    def write(self):
        if self.closed or self.conn is None:
            return
        data = self.conn.data_to_send()
        self.unsent = 0
        if data:
            self.transport.write(data)

    def stream_gone(self, stream_id):
        self.outbound.pop(stream_id, None)
        watch = self.watches.get(stream_id)
        if watch:
            watch.close()

    def start_response(self, stream_id, status, length=None, extra=()):
        headers = [("audit-id", str(uuid.uuid4())), ("cache-control", "no-cache, private"),
                   ("content-type", "application/json"), ("date", email.utils.formatdate(usegmt=True)),
                   ("x-kubernetes-pf-flowschema-uid", self.app.flowschema_uid),
                   ("x-kubernetes-pf-prioritylevel-uid", self.app.prioritylevel_uid)]
        if length is not None:
            headers.append(("content-length", str(length)))
        headers.extend(extra)
        headers.sort()
        self.conn.send_headers(stream_id, [(":status", str(status))] + headers)
        self.outbound[stream_id] = collections.deque()

    def enqueue(self, stream_id, item):
        queue = self.outbound.get(stream_id)
        if queue is not None:
            queue.append(item)

    def finish(self, stream_id):
        self.enqueue(stream_id, END)
        self.flush(stream_id)
        self.write()

    def send_event(self, stream_id, data):
        chunk = self.app.args.watch_chunk
        if chunk and len(data) > chunk:
            for start in range(0, len(data), chunk):
                self.enqueue(stream_id, data[start:start + chunk])
        else:
            self.enqueue(stream_id, data)
        self.flush(stream_id)
        self.write()

    def respond(self, stream_id, status, body, extra=()):
        """A complete small response (Status errors, single objects)."""
        self.start_response(stream_id, status, length=len(body) if len(body) < 4096 else None, extra=extra)
        self.enqueue(stream_id, body)
        self.finish(stream_id)

    def flush(self, stream_id):
        queue = self.outbound.get(stream_id)
        if queue is None or self.closed:
            return
        try:
            while queue and not self.paused:
                item = queue[0]
                if item is END:
                    queue.popleft()
                    self.conn.end_stream(stream_id)
                    self.outbound.pop(stream_id, None)
                    return
                if not isinstance(item, (bytes, bytearray, memoryview)):
                    chunk = next(item, None)
                    if chunk is None:
                        queue.popleft()
                    elif chunk:
                        queue.appendleft(chunk)
                    continue
                window = self.conn.local_flow_control_window(stream_id)
                if window <= 0:
                    return
                size = min(window, self.conn.max_outbound_frame_size, len(item))
                if size == len(item):
                    queue.popleft()
                    self.conn.send_data(stream_id, item)
                else:
                    self.conn.send_data(stream_id, item[:size])
                    queue[0] = item[size:]
                self.unsent += size
                if self.unsent >= 262144:
                    self.write()
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            self.stream_gone(stream_id)

    def flush_all(self):
        if self.closed or self.conn is None:
            return
        for stream_id in list(self.outbound):
            self.flush(stream_id)
        self.write()

    def reset(self):
        """Abruptly closes the TCP connection (RST)."""
        if self.closed:
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        self.transport.abort()

    def goaway(self):
        if self.closed or self.conn is None:
            return
        self.conn.close_connection(error_code=0)
        self.write()


# ---------------------------------------------------------------------------------
# The server state (touched on the asyncio loop thread only)


class App:
    def __init__(self, args):
        self.args = args
        self.loop = None
        self.rv = args.start_rv
        self.compacted = self.rv
        self.history = []
        self.history_rvs = []
        self.stores = {}
        self.protocols = set()
        self.watches = set()
        self.connections = 0
        self.requests_served = 0
        self.fail_next = []
        self.forbidden = set()
        self.expire_watches = set()  # resources ("*": every one) whose watches all get 410
        self.stall_watches = set()  # resources ("*": every one) whose new watches send nothing after the head
        self.stalled = 0  # watches stalled so far
        self.flowschema_uid = str(uuid.uuid4())
        self.prioritylevel_uid = str(uuid.uuid4())
        self.record_file = open(args.record, "a", buffering=1) if args.record else None

    def next_connection(self):
        self.connections += 1
        return self.connections

    # stores

    def store(self, group, version, resource, create=False, kind=None, namespaced=None):
        store = self.stores.get((group, version, resource))
        if store is not None:
            return store
        known = KNOWN.get((group, resource))
        if known and version in known[0]:
            store = Store(group, version, resource, known[1], known[2])
        elif create:
            if not kind:
                singular = resource[:-3] + "y" if resource.endswith("ies") else resource[:-1] if resource.endswith("s") else resource
                kind = singular[:1].upper() + singular[1:]
            store = Store(group, version, resource, kind, True if namespaced is None else namespaced)
        else:
            return None
        self.stores[(group, version, resource)] = store
        return store

    def resolve_store(self, spec, obj=None):
        resource = spec["resource"]
        group = spec.get("group", "")
        version = spec.get("version") or (KNOWN[(group, resource)][0][0] if (group, resource) in KNOWN else "v1")
        kind = (obj or {}).get("kind")
        namespaced = spec.get("namespaced")
        if namespaced is None and obj is not None and (group, resource) not in KNOWN:
            namespaced = bool((obj.get("metadata") or {}).get("namespace"))
        return self.store(group, version, resource, create=True, kind=kind, namespaced=namespaced)

    # mutations

    def record_event(self, event):
        self.history.append(event)
        self.history_rvs.append(event.rv)
        limit = self.args.max_history
        if limit and len(self.history) > limit:
            drop = len(self.history) - limit
            self.compacted = self.history_rvs[drop - 1]
            del self.history[:drop]
            del self.history_rvs[:drop]
        for watch in list(event.store.watches):
            watch.on_event(event)

    def upsert(self, store, document, emit=True):
        document = dict(document)
        meta = dict(document.get("metadata") or {})
        if not meta.get("name"):
            if meta.get("generateName"):
                meta["name"] = meta["generateName"] + "".join(random.choices(ALPHABET, k=5))
            else:
                raise ValueError("metadata.name is required")
        if store.namespaced:
            meta["namespace"] = meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        key = store.key_for(meta.get("namespace", ""), meta["name"])
        previous = store.objects.get(key)
        meta.setdefault("uid", previous.uid if previous else str(uuid.uuid4()))
        meta.setdefault("creationTimestamp", previous.created if previous else timestamp(time.time()))
        document["metadata"] = meta
        self.rv += 1
        obj = store.make(document, self.rv)
        store.put(obj)
        kind = "MODIFIED" if previous else "ADDED"
        if emit:
            self.record_event(Event(self.rv, store, kind, key, obj, previous))
        return kind, obj

    def delete(self, store, namespace, name):
        key = store.key_for(namespace or "", name)
        if key not in store.objects:
            return None
        previous = store.remove(key)
        self.rv += 1
        obj = previous.with_rv(self.rv)
        self.record_event(Event(self.rv, store, "DELETED", key, obj, previous))
        return obj

    def compact(self):
        self.compacted = self.rv
        self.history.clear()
        self.history_rvs.clear()
        return self.compacted

    def overlay(self, store, at_rv):
        """key -> Obj|None: how objects changed since `at_rv` looked at `at_rv`."""
        overlay = {}
        if at_rv >= self.rv:
            return overlay
        start = bisect.bisect_right(self.history_rvs, at_rv)
        for event in reversed(self.history[start:]):
            if event.store is store:
                overlay[event.key] = event.prev
        return overlay

    def snapshot(self, store, at_rv, namespace, start_key=None):
        """Yields (key, obj) of `store` as of `at_rv`, in key order, from start_key."""
        low, high = store.key_range(namespace)
        if start_key:
            low = max(low, bisect.bisect_left(store.keys, start_key, low, high))
        overlay = self.overlay(store, at_rv)
        keys, objects = store.keys, store.objects
        if not overlay:
            for index in range(low, high):
                key = keys[index]
                yield key, objects[key]
            return
        prefix = namespace + "/" if namespace else ""
        extra = sorted(key for key, obj in overlay.items()
                       if obj is not None and key not in objects and key.startswith(prefix)
                       and (not start_key or key >= start_key))
        position = 0
        for index in range(low, high):
            key = keys[index]
            while position < len(extra) and extra[position] < key:
                yield extra[position], overlay[extra[position]]
                position += 1
            if key in overlay:
                if overlay[key] is not None:
                    yield key, overlay[key]
            else:
                yield key, objects[key]
        for key in extra[position:]:
            yield key, overlay[key]

    # requests

    def record(self, entry):
        if self.record_file:
            self.record_file.write(json.dumps(entry) + "\n")

    def token_ok(self, headers):
        try:
            with open(self.args.token_file) as handle:
                expected = handle.read().strip()
        except OSError:
            return False
        value = headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        return bool(expected) and scheme.lower() == "bearer" and token.strip() == expected

    def handle(self, proto, stream_id, header_list, body=b""):
        self.requests_served += 1
        headers = {}
        for name, value in header_list:
            headers[name] = value if name not in headers else headers[name] + ", " + value
        method = headers.get(":method", "")
        path, _, query_string = headers.get(":path", "").partition("?")
        query = {name: values[-1] for name, values in urllib.parse.parse_qs(query_string, keep_blank_values=True).items()}
        entry = {"time": time.time(), "connection": proto.number, "stream": stream_id, "method": method, "path": path,
                 "query": query, "authority": headers.get(":authority", ""),
                 "headers": {name: value for name, value in headers.items() if not name.startswith(":")},
                 "client_cert": proto.client_cert}

        def answer(status, body, extra=()):
            entry["status"] = status
            self.record(entry)
            proto.respond(stream_id, status, body, extra)

        # Authentication: a verified client certificate or the bearer token.
        if self.args.token_file or self.args.client_ca:
            authenticated = (self.args.client_ca and proto.client_cert is not None) or \
                (self.args.token_file and self.token_ok(headers))
            if not authenticated:
                return answer(401, status_body(401, "Unauthorized", "Unauthorized"))
        user = proto.client_cert if (self.args.client_ca and proto.client_cert) else self.args.user

        if path in ("/healthz", "/livez", "/readyz"):
            return answer(200, b"ok")
        if path == "/version":
            return answer(200, dumps({"major": "1", "minor": "30", "gitVersion": "v1.30.2", "gitCommit":
                                      "39683505b630ff2121012f3c5b16215a1449d5ed", "gitTreeState": "clean",
                                      "buildDate": "2024-06-11T20:21:00Z", "goVersion": "go1.22.4",
                                      "compiler": "gc", "platform": "linux/amd64"}) + b"\n")
        route = parse_api_path(path)
        if route is None:
            return answer(404, status_body(404, "NotFound", "the server could not find the requested resource", {}))
        group, version, namespace, resource, name, watch_prefix = route
        watching = watch_prefix or query.get("watch") in ("true", "1")
        verb = "watch" if watching else ("get" if name else "list")
        if method in ("POST", "PUT"):
            verb = "create" if method == "POST" else "update"
        entry.update(verb=verb, watch=watching, resource=resource, group=group, namespace=namespace or "")

        for index, failure in enumerate(self.fail_next):
            if failure.get("resource") not in (None, resource) or failure.get("verb") not in (None, verb):
                continue
            failure["count"] -= 1
            if failure["count"] <= 0:
                del self.fail_next[index]
            code = int(failure["status"])
            reason = REASONS.get(code, "")
            extra = ()
            if code == 429:
                message = failure.get("message") or "Too many requests, please try again later."
                details = {"retryAfterSeconds": 1}
                extra = (("retry-after", "1"),)
            elif code >= 500:
                message = failure.get("message") or "Internal error occurred: injected failure"
                details = {"causes": [{"message": failure.get("message") or "injected failure"}]}
            else:
                message = failure.get("message") or "injected failure"
                details = None
            if failure.get("bodyBytes"):
                return self.padded_failure(proto, stream_id, entry, code, reason, int(failure["bodyBytes"]), extra)
            return answer(code, status_body(code, reason, message, details), extra)

        if (group, resource) in self.forbidden:
            scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
            subject = f'{resource} "{name}"' if name else resource
            message = (f'{subject} is forbidden: User "{user}" cannot {verb} resource "{resource}" '
                       f'in API group "{group}"{scope}')
            details = {}
            if name:
                details["name"] = name
            if group:
                details["group"] = group
            details["kind"] = resource
            return answer(403, status_body(403, "Forbidden", message, details))

        store = self.store(group, version, resource)
        if store is None or (namespace and not store.namespaced):
            return answer(404, status_body(404, "NotFound", "the server could not find the requested resource", {}))
        if method in ("POST", "PUT") and not watching:
            return self.write_object(store, method, namespace, name, body, answer)
        if method != "GET":
            return answer(405, status_body(405, "MethodNotAllowed",
                                           f"the server does not allow this method on the requested resource", {}))
        mode = negotiate(headers.get("accept", ""))
        if mode is None:
            return answer(406, status_body(406, "NotAcceptable",
                                           "only the following media types are accepted: application/json"))

        if name and not watching:
            obj = store.objects.get(store.key_for(namespace or "", name))
            if obj is None:
                details = {"name": name}
                if group:
                    details["group"] = group
                details["kind"] = resource
                return answer(404, status_body(404, "NotFound", f'{resource} "{name}" not found', details))
            if mode == "full":
                body = store.full(obj)
            elif mode[0] == "table":
                body = (b'{"kind":"Table","apiVersion":"' + mode[1].encode() + b'","metadata":{},"columnDefinitions":' +
                        dumps(table_columns(store)) + b',"rows":[' + table_row(store, obj, mode[1], query.get("includeObject", "Metadata")) + b"]}")
            else:
                body = b'{"kind":"PartialObjectMetadata","apiVersion":"%s","metadata":%s}' % (mode[1].encode(), obj.metadata())
            return answer(200, body + b"\n")

        try:
            field_text = query.get("fieldSelector", "")
            if name:
                field_text = ",".join(filter(None, [field_text, "metadata.name=" + name]))
            predicate = make_predicate(store, field_text, query.get("labelSelector", ""))
        except SelectorError as error:
            return answer(400, status_body(400, "BadRequest", str(error)))
        if watching:
            return self.watch(proto, stream_id, entry, store, namespace, query, predicate, mode, answer)
        return self.list(proto, stream_id, entry, store, namespace, query, predicate, mode, answer, headers)

    def padded_failure(self, proto, stream_id, entry, code, reason, size, extra):
        """An error Status whose message makes the body about `size` bytes, streamed in
        64 KiB pieces: what a client reads of an oversized error answer."""
        entry["status"] = code
        self.record(entry)
        head = b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"'
        tail = b'","reason":"%s","code":%d}\n' % (reason.encode(), code)

        def pieces():
            yield head
            left = size - len(head) - len(tail)
            while left > 0:
                yield b"x" * min(left, 65536)
                left -= 65536
            yield tail
        proto.start_response(stream_id, code, extra=extra)
        proto.enqueue(stream_id, pieces())
        proto.finish(stream_id)

    def write_object(self, store, method, namespace, name, body, answer):
        """POST (create) and PUT (update) as kube-apiserver answers them: an update needs
        metadata.resourceVersion (Leases refuse unconditional updates) and fails with 409
        Conflict when it is not the stored one; a create of an existing name is 409
        AlreadyExists; a Lease's spec is validated as the API validates it."""
        details = {"name": name or "", "kind": store.resource}
        if store.group:
            details["group"] = store.group
        kind_name = f"{store.resource}.{store.group}" if store.group else store.resource
        try:
            document = json.loads(body or b"null")
            if not isinstance(document, dict):
                raise ValueError("not an object")
        except ValueError as error:
            return answer(400, status_body(400, "BadRequest", f"the body of the request was in an unknown format: {error}"))
        meta = dict(document.get("metadata") or {})
        if method == "POST":
            if name:
                return answer(405, status_body(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}))
            name = meta.get("name", "")
            details["name"] = name
        elif meta.get("name") not in (None, name):
            return answer(400, status_body(400, "BadRequest", "the name of the object does not match the name on the URL"))
        if not name:
            return answer(422, status_body(422, "Invalid", f"{store.kind} \"\" is invalid: metadata.name: Required value: name or generateName is required", details))
        if store.namespaced:
            if meta.get("namespace") not in (None, "", namespace):
                return answer(400, status_body(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request"))
            meta["namespace"] = namespace or "default"
        spec = document.get("spec") or {}
        if store.resource == "leases":
            problems = []
            if "leaseDurationSeconds" in spec and not (isinstance(spec["leaseDurationSeconds"], int) and spec["leaseDurationSeconds"] > 0):
                problems.append("spec.leaseDurationSeconds: Invalid value: %s: must be greater than 0" % spec["leaseDurationSeconds"])
            if "leaseTransitions" in spec and not (isinstance(spec["leaseTransitions"], int) and spec["leaseTransitions"] >= 0):
                problems.append("spec.leaseTransitions: Invalid value: %s: must be greater than or equal to 0" % spec["leaseTransitions"])
            if problems:
                return answer(422, status_body(422, "Invalid", f'Lease.coordination.k8s.io "{name}" is invalid: ' + ", ".join(problems), details))
        key = store.key_for(meta.get("namespace", ""), name)
        current = store.objects.get(key)
        if method == "POST":
            if current is not None:
                return answer(409, status_body(409, "AlreadyExists", f'{kind_name} "{name}" already exists', details))
            meta.pop("resourceVersion", None)
            meta.pop("uid", None)
            status = 201
        else:
            wanted = meta.get("resourceVersion", "")
            if not wanted:
                if store.resource == "leases" or current is not None:
                    return answer(422, status_body(422, "Invalid", f'{store.kind}.{store.group or "core"} "{name}" is invalid: '
                                                   "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", details))
            elif current is None:
                return answer(404, status_body(404, "NotFound", f'{kind_name} "{name}" not found', details))
            elif str(current.rv) != str(wanted):
                return answer(409, status_body(409, "Conflict", f'Operation cannot be fulfilled on {kind_name} "{name}": '
                                               "the object has been modified; please apply your changes to the latest version and try again", details))
            if current is not None:
                meta["uid"] = current.uid
                meta["creationTimestamp"] = current.created
            status = 200 if current is not None else 201
        document["metadata"] = meta
        _, obj = self.upsert(store, document)
        return answer(status, store.full(obj) + b"\n")

    def list(self, proto, stream_id, entry, store, namespace, query, predicate, mode, answer, headers):
        rv_text = query.get("resourceVersion", "")
        match = query.get("resourceVersionMatch", "")
        token = query.get("continue", "")
        try:
            limit = max(0, int(query.get("limit") or 0))
        except ValueError:
            return answer(400, status_body(400, "BadRequest", f'invalid limit: {query.get("limit")!r}'))
        start_key = None
        if match and match not in ("Exact", "NotOlderThan"):
            return answer(422, status_body(422, "Invalid", f'resourceVersionMatch: Unsupported value: "{match}": '
                                           'supported values: "Exact", "NotOlderThan"'))
        if token:
            if rv_text:
                return answer(400, status_body(400, "BadRequest",
                                               "specifying resource version is not allowed when using continue"))
            try:
                at_rv, start_key = decode_continue(token)
            except ValueError as error:
                return answer(400, status_body(400, "BadRequest", str(error)))
            if at_rv == -1:
                at_rv = self.rv
            elif at_rv < self.compacted:
                fresh = encode_continue(-1, start_key)
                return answer(410, status_body(410, "Expired", INCONSISTENT_CONTINUE, metadata={"continue": fresh}))
            elif at_rv > self.rv:
                return answer(400, status_body(400, "BadRequest", "continue key is not valid: resource version in the future"))
        else:
            if match and not rv_text:
                return answer(422, status_body(422, "Invalid", "resourceVersionMatch: Forbidden: resourceVersionMatch is "
                                               "forbidden unless resourceVersion is provided"))
            if not rv_text:
                at_rv = self.rv
            elif rv_text == "0":
                if match == "Exact":
                    return answer(422, status_body(422, "Invalid", 'resourceVersionMatch: Forbidden: resourceVersionMatch '
                                                   '"exact" is forbidden for resourceVersion "0"'))
                at_rv = self.rv
                limit = 0  # served from the watch cache, which does not paginate
            else:
                try:
                    wanted = int(rv_text)
                    if wanted < 0:
                        raise ValueError
                except ValueError:
                    return answer(400, status_body(400, "BadRequest", f'invalid resource version "{rv_text}"'))
                if wanted > self.rv:
                    return answer(504, status_body(504, "Timeout", f"Too large resource version: {wanted}, current: {self.rv}",
                                                   {"causes": [{"reason": "ResourceVersionTooLarge",
                                                                "message": "Too large resource version"}],
                                                    "retryAfterSeconds": 1}))
                exact = match == "Exact" or (not match and limit > 0)
                if exact:
                    if wanted < self.compacted:
                        return answer(410, status_body(410, "Expired", "The resourceVersion for the provided list is too old."))
                    at_rv = wanted
                else:
                    at_rv = self.rv

        items, last_key, has_more = [], None, False
        iterator = self.snapshot(store, at_rv, namespace, start_key)
        for key, obj in iterator:
            if limit and len(items) >= limit:
                has_more = True
                break
            last_key = key
            if predicate is None or predicate(obj):
                items.append(obj)
        list_meta = {"resourceVersion": str(at_rv)}
        if has_more:
            list_meta["continue"] = encode_continue(at_rv, last_key + "\x00")
            if predicate is None:
                low, high = store.key_range(namespace)
                remaining = high - bisect.bisect_right(store.keys, last_key, low, high)
                prefix = namespace + "/" if namespace else ""
                for key, obj in self.overlay(store, at_rv).items():
                    if key <= last_key or not key.startswith(prefix):
                        continue
                    if obj is None and key in store.objects:
                        remaining -= 1  # created after at_rv
                    elif obj is not None and key not in store.objects:
                        remaining += 1  # deleted after at_rv
                list_meta["remainingItemCount"] = remaining

        if mode == "full":
            head = b'{"kind":"' + store.list_kind + b'","apiVersion":"' + store.api_version.encode() + b'","metadata":'
            encode = None
        elif mode[0] == "table":
            head = b'{"kind":"Table","apiVersion":"' + mode[1].encode() + b'","metadata":'
            include = query.get("includeObject", "Metadata")

            def encode(obj):
                return table_row(store, obj, mode[1], include)
        else:
            head = b'{"kind":"PartialObjectMetadataList","apiVersion":"' + mode[1].encode() + b'","metadata":'
            item_prefix = b'{"kind":"PartialObjectMetadata","apiVersion":"' + mode[1].encode() + b'","metadata":'

            def encode(obj):
                return item_prefix + obj.metadata() + b"}"
        if mode != "full" and mode[0] == "table":
            head += dumps(list_meta) + b',"columnDefinitions":' + dumps(table_columns(store)) + b',"rows":['
        else:
            head += dumps(list_meta) + b',"items":['
        tail = b"]}\n"

        def chunks():
            buffer, size, first = [head], len(head), True
            for obj in items:
                data = obj.body if encode is None else encode(obj)
                if not first:
                    buffer.append(b",")
                first = False
                buffer.append(data)
                size += len(data) + 1
                if size >= 65536:
                    yield b"".join(buffer)
                    buffer, size = [], 0
            buffer.append(tail)
            yield b"".join(buffer)

        estimate = len(head) + len(tail) + sum(len(obj.body) + 1 for obj in items)
        entry["status"] = 200
        entry["items"] = len(items)
        self.record(entry)
        gzip_ok = not self.args.no_gzip and "gzip" in headers.get("accept-encoding", "").lower()
        if gzip_ok and estimate >= 128 * 1024:
            def compressed():
                compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
                for chunk in chunks():
                    out = compressor.compress(chunk)
                    if out:
                        yield out
                yield compressor.flush()
            proto.start_response(stream_id, 200, extra=(("content-encoding", "gzip"), ("vary", "Accept-Encoding")))
            proto.enqueue(stream_id, compressed())
        elif estimate < 4096:
            body = b"".join(chunks())
            proto.start_response(stream_id, 200, length=len(body))
            proto.enqueue(stream_id, body)
        else:
            proto.start_response(stream_id, 200)
            proto.enqueue(stream_id, chunks())
        proto.finish(stream_id)

    def watch(self, proto, stream_id, entry, store, namespace, query, predicate, mode, answer):
        rv_text = query.get("resourceVersion", "")
        match = query.get("resourceVersionMatch", "")
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        initial = query.get("sendInitialEvents") in ("true", "1")
        timeout = None
        if query.get("timeoutSeconds"):
            try:
                timeout = float(query["timeoutSeconds"])
            except ValueError:
                return answer(400, status_body(400, "BadRequest", f'invalid timeoutSeconds {query["timeoutSeconds"]!r}'))
        if initial:
            if match != "NotOlderThan":
                return answer(422, status_body(422, "Invalid", "resourceVersionMatch: Forbidden: sendInitialEvents requires "
                                               "setting resourceVersionMatch to NotOlderThan"))
            if not bookmarks:
                return answer(422, status_body(422, "Invalid", "allowWatchBookmarks: Forbidden: sendInitialEvents requires "
                                               "setting allowWatchBookmarks to true"))
        elif match:
            return answer(422, status_body(422, "Invalid", "resourceVersionMatch: Forbidden: resourceVersionMatch is "
                                           "forbidden for watch unless sendInitialEvents is provided"))
        wanted = None
        if rv_text and rv_text != "0":
            try:
                wanted = int(rv_text)
                if wanted < 0:
                    raise ValueError
            except ValueError:
                return answer(400, status_body(400, "BadRequest", f'invalid resource version "{rv_text}"'))
        entry["status"] = 200
        self.record(entry)
        proto.start_response(stream_id, 200)
        if self.stall_watches & {"*", store.resource}:
            # A stalled watch: the head is out, nothing follows and the stream stays open
            # (not registered, so no event, bookmark or timeout reaches it).
            proto.flush(stream_id)
            proto.write()
            self.stalled += 1
            return
        watch = Watch(self, proto, stream_id, store, namespace, predicate, mode, bookmarks, query)
        if self.expire_watches & {"*", store.resource}:
            watch.error(410, "Expired", f"too old resource version: {rv_text or 0} ({self.rv})")
            proto.finish(stream_id)
            return
        if wanted is not None and not initial:
            if wanted < self.compacted:
                watch.error(410, "Expired", f"too old resource version: {wanted} ({self.compacted})")
                proto.finish(stream_id)
                return
            start = bisect.bisect_right(self.history_rvs, wanted)
            watch.last_rv = wanted
            for event in self.history[start:]:
                if event.store is store:
                    watch.on_event(event)
        else:
            current = [obj for _, obj in self.snapshot(store, self.rv, namespace)
                       if predicate is None or predicate(obj)]
            lines = (watch.line(b"ADDED", obj) for obj in current)
            if self.args.watch_chunk:
                chunk = self.args.watch_chunk
                lines = (line[start:start + chunk] for line in lines for start in range(0, len(line), chunk))
            proto.enqueue(stream_id, lines)
            watch.last_rv = self.rv
            if initial:
                watch.bookmark(initial_end=True)
        proto.flush(stream_id)
        proto.write()
        store.watches.add(watch)
        self.watches.add(watch)
        proto.watches[stream_id] = watch
        if timeout is not None:
            watch.timer = self.loop.call_later(timeout, watch.end, True)

    # control operations (called through call())

    def control(self, path, body):
        if path == "/objects":
            objects = body.get("objects") if "objects" in body else [body.get("object")]
            results = []
            for document in objects:
                if not isinstance(document, dict):
                    raise ValueError("object must be a JSON object")
                store = self.resolve_store(body, document)
                kind, obj = self.upsert(store, document)
                results.append({"type": kind, "resourceVersion": str(obj.rv), "object": json.loads(store.full(obj))})
            return results if "objects" in body else results[0]
        if path == "/delete":
            store = self.resolve_store(body)
            obj = self.delete(store, body.get("namespace", ""), body["name"])
            if obj is None:
                return 404, {"error": "not found"}
            return {"type": "DELETED", "resourceVersion": str(obj.rv), "object": json.loads(store.full(obj))}
        if path == "/compact":
            return {"compacted": str(self.compact())}
        if path == "/drop-connections":
            protocols = [proto for proto in self.protocols if not proto.closed]
            for proto in protocols:
                proto.reset()
            return {"dropped": len(protocols)}
        if path == "/goaway":
            protocols = [proto for proto in self.protocols if not proto.closed]
            for proto in protocols:
                proto.goaway()
            return {"connections": len(protocols)}
        if path == "/end-watches":
            ended = [watch for watch in self.watches if body.get("resource") in (None, watch.store.resource)]
            for watch in ended:
                watch.end()
            return {"ended": len(ended)}
        if path == "/forbid":
            key = (body.get("group", ""), body["resource"])
            if body.get("forbidden", True):
                self.forbidden.add(key)
            else:
                self.forbidden.discard(key)
            return {"forbidden": sorted(f"{group}/{resource}" if group else resource for group, resource in self.forbidden)}
        if path == "/bookmark":
            sent = [watch for watch in self.watches if watch.bookmarks]
            for watch in sent:
                watch.bookmark()
            return {"sent": len(sent), "resourceVersion": str(self.rv)}
        if path == "/expire-watches":
            resource = body.get("resource") or "*"
            if body.get("expired", True):
                self.expire_watches.add(resource)
            else:
                self.expire_watches.discard(resource)
            return {"expired": sorted(self.expire_watches)}
        if path == "/stall-watches":
            resource = body.get("resource") or "*"
            if body.get("stalled", True):
                self.stall_watches.add(resource)
            else:
                self.stall_watches.discard(resource)
            return {"stalled": sorted(self.stall_watches), "stalledWatches": self.stalled}
        if path == "/oversized-event":
            size = int(body["bytes"])
            sent = [watch for watch in self.watches if body.get("resource") in (None, watch.store.resource)]
            for watch in sent:
                watch.oversized(size)
            return {"sent": len(sent)}
        if path == "/fail-next":
            failure = {"status": int(body["status"]), "count": int(body.get("count", 1))}
            for name in ("resource", "verb", "message", "bodyBytes"):
                if body.get(name) is not None:
                    failure[name] = body[name]
            self.fail_next.append(failure)
            return {"pending": self.fail_next}
        if path == "/reset-failures":
            self.fail_next.clear()
            return {"pending": []}
        if path == "/state":
            return {"resourceVersion": str(self.rv), "compacted": str(self.compacted), "history": len(self.history),
                    "counts": {store.label: len(store.objects) for store in self.stores.values()},
                    "watches": sorted((watch.describe() for watch in self.watches),
                                      key=lambda item: (item["connection"], item["stream"])),
                    "connections": sum(1 for proto in self.protocols if not proto.closed),
                    "connectionsTotal": self.connections, "requests": self.requests_served,
                    "stalledWatches": self.stalled,
                    "forbidden": sorted(f"{group}/{resource}" if group else resource for group, resource in self.forbidden),
                    "failNext": self.fail_next}
        if path in ("/churn", "/churn/status", "/churn/pods"):
            return churn_control(self, path, body)
        return 404, {"error": f"unknown control path {path}"}

    def call(self, function, *arguments):
        """Runs `function` on the loop thread and returns its result (from other threads)."""
        future = concurrent.futures.Future()

        def run():
            try:
                future.set_result(function(*arguments))
            except Exception as error:
                future.set_exception(error)
        self.loop.call_soon_threadsafe(run)
        return future.result(timeout=120)


def parse_api_path(path):
    segments = [urllib.parse.unquote(segment) for segment in path.strip("/").split("/")]
    if len(segments) >= 2 and segments[0] == "api":
        group, version, rest = "", segments[1], segments[2:]
    elif len(segments) >= 3 and segments[0] == "apis":
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        return None
    watch_prefix = False
    if rest and rest[0] == "watch":
        watch_prefix, rest = True, rest[1:]
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 2 or not all(rest):
        return None
    return group, version, namespace, rest[0], (rest[1] if len(rest) == 2 else None), watch_prefix


# ---------------------------------------------------------------------------------
# Control port (HTTP/1.1)


class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    app = None

    def log_message(self, *arguments):
        pass

    def reply(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_control(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            path = urllib.parse.urlsplit(self.path).path.rstrip("/") or "/"
            result = self.app.call(self.app.control, path, body)
        except (ValueError, KeyError, TypeError) as error:
            return self.reply(400, {"error": f"{type(error).__name__}: {error}"})
        except Exception as error:
            return self.reply(500, {"error": f"{type(error).__name__}: {error}"})
        if isinstance(result, tuple):
            return self.reply(*result)
        self.reply(200, result)

    do_GET = handle_control
    do_POST = handle_control


# ---------------------------------------------------------------------------------
# Synthetic cluster

ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery rand.String's alphabet
BASE_TIME = 1714557600  # 2024-05-01T10:00:00Z

DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]
DAEMONSET_TOLERATIONS = [
    {"operator": "Exists"},
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"},
]

# Container roles: the parts of a container spec that do not vary between replicas.
ROLES = {
    "http": {"ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
             "env": [{"name": "PORT", "value": "8080"},
                     {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
             "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"}, "initialDelaySeconds": 10,
                               "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
             "readinessProbe": {"httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"}, "timeoutSeconds": 1,
                                "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3}},
    "worker": {"args": ["--queue=default", "--concurrency=4"],
               "env": [{"name": "QUEUE_URL", "value": "amqp://rabbitmq.messaging.svc.cluster.local:5672"}]},
    "nginx": {"ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}]},
    "istio-proxy": {"args": ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local", "--proxyLogLevel=warning",
                             "--proxyComponentLogLevel=misc:error", "--log_output_level=default:info"],
                    "ports": [{"name": "http-envoy-prom", "containerPort": 15090, "protocol": "TCP"}],
                    "env": [{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
                            {"name": "INSTANCE_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}],
                    "readinessProbe": {"httpGet": {"path": "/healthz/ready", "port": 15021, "scheme": "HTTP"}, "timeoutSeconds": 3,
                                       "periodSeconds": 15, "successThreshold": 1, "failureThreshold": 4},
                    "securityContext": {"capabilities": {"drop": ["ALL"]}, "privileged": False, "runAsUser": 1337,
                                        "runAsGroup": 1337, "runAsNonRoot": True, "readOnlyRootFilesystem": True,
                                        "allowPrivilegeEscalation": False}},
    "fluent-bit": {"ports": [{"name": "http", "containerPort": 2020, "protocol": "TCP"}],
                   "mounts": [{"name": "varlog", "mountPath": "/var/log"}]},
    "postgres": {"ports": [{"name": "postgres", "containerPort": 5432, "protocol": "TCP"}],
                 "env": [{"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"}],
                 "mounts": [{"name": "data", "mountPath": "/var/lib/postgresql/data"}]},
    "postgres-exporter": {"ports": [{"name": "metrics", "containerPort": 9187, "protocol": "TCP"}]},
    "redis": {"command": ["redis-server", "/etc/redis/redis.conf"],
              "ports": [{"name": "redis", "containerPort": 6379, "protocol": "TCP"}],
              "mounts": [{"name": "data", "mountPath": "/data"}]},
    "kube-proxy": {"command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                               "--hostname-override=$(NODE_NAME)"],
                   "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                   "mounts": [{"name": "kube-proxy", "mountPath": "/var/lib/kube-proxy"},
                              {"name": "xtables-lock", "mountPath": "/run/xtables.lock"},
                              {"name": "lib-modules", "readOnly": True, "mountPath": "/lib/modules"}],
                   "securityContext": {"privileged": True}},
    "node-exporter": {"args": ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root",
                               "--web.listen-address=[$(HOST_IP)]:9100"],
                      "ports": [{"name": "metrics", "containerPort": 9100, "protocol": "TCP"}],
                      "env": [{"name": "HOST_IP", "value": "0.0.0.0"}],
                      "mounts": [{"name": "proc", "readOnly": True, "mountPath": "/host/proc"},
                                 {"name": "sys", "readOnly": True, "mountPath": "/host/sys"}]},
    "batch": {"command": ["/bin/sh", "-c", "exec /app/run-report --since=24h"]},
}
VOLUME_SOURCES = {
    "varlog": {"hostPath": {"path": "/var/log", "type": ""}},
    "kube-proxy": {"configMap": {"name": "kube-proxy", "defaultMode": 420}},
    "xtables-lock": {"hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
    "lib-modules": {"hostPath": {"path": "/lib/modules", "type": ""}},
    "proc": {"hostPath": {"path": "/proc", "type": ""}},
    "sys": {"hostPath": {"path": "/sys", "type": ""}},
}
SIDECAR_IMAGES = {
    "istio-proxy": "docker.io/istio/proxyv2:1.22.1",
    "fluent-bit": "cr.fluentbit.io/fluent/fluent-bit:3.0.7",
    "postgres": "postgres:16.3",
    "postgres-exporter": "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
    "redis": "redis:7.2.5",
    "nginx": "nginx:1.25.4",
    "kube-proxy": "registry.k8s.io/kube-proxy:v1.30.2",
    "node-exporter": "quay.io/prometheus/node-exporter:v1.8.1",
}
# Resource shapes: (shape, cpu request, memory request, cpu limit, memory limit)
FIXED_RESOURCES = {
    "istio-proxy": ("req+lim", "100m", "128Mi", "2", "1Gi"),
    "fluent-bit": ("req+memlim", "50m", "64Mi", None, "128Mi"),
    "postgres-exporter": ("guaranteed", "50m", "64Mi", "50m", "64Mi"),
    "kube-proxy": ("besteffort", None, None, None, None),
    "node-exporter": ("req+lim", "100m", "180Mi", "250m", "180Mi"),
}
DEPLOYMENT_PROFILES = [(["http"], 30), (["http", "istio-proxy"], 20), (["http", "istio-proxy", "fluent-bit"], 8),
                       (["worker"], 15), (["worker", "fluent-bit"], 7), (["nginx"], 10)]
STATEFULSET_PROFILES = [(["postgres", "postgres-exporter"], 1), (["redis"], 1)]
DAEMONSETS = [("kube-proxy", "kube-system", ["kube-proxy"], True),
              ("node-exporter", "monitoring", ["node-exporter"], True),
              ("fluent-bit", "logging", ["fluent-bit"], False)]
APP_NAMES = ["checkout", "cart", "payments", "search", "catalog", "inventory", "orders", "shipping", "users", "auth",
             "notifications", "recommendations", "reviews", "pricing", "billing", "ledger", "reports", "analytics",
             "gateway", "frontend", "media", "email", "fraud", "loyalty", "geo"]
APP_SUFFIXES = ["api", "worker", "web", "service", "consumer", "sync", "indexer", "scheduler"]
APP_NAMESPACES = ["default", "shop", "payments", "search", "data", "platform", "team-a", "team-b", "team-c", "team-d"]
VARIANTS = ["running", "restarted", "notready", "crashloop", "creating", "unschedulable", "evicted"]
VARIANT_WEIGHTS = [88, 5, 1.5, 2, 1.5, 1.5, 0.5]
JOB_VARIANTS = ["succeeded", "running", "failed"]
JOB_WEIGHTS = [90, 8, 2]


def P(name):
    return "@@" + name + "@@"


def N(name):
    return "@@#" + name + "@@"


_PLACEHOLDER = re.compile(r'"@@#(\w+)@@"|@@(\w+)@@')


class Template:
    """JSON text with named holes, filled by joining literal segments and values
    (much faster than %-formatting, which scans every character)."""

    def __init__(self, text):
        pieces = _PLACEHOLDER.split(text)
        # split() yields literal, numeric-name, string-name, literal, ...
        self.literals = pieces[0::3]
        names = [numeric or string for numeric, string in zip(pieces[1::3], pieces[2::3])]
        self.getter = operator.itemgetter(*names) if len(names) > 1 else (lambda values: (values[names[0]],)) \
            if names else (lambda values: ())
        self.size = 2 * len(names) + 1

    def fill(self, values):
        out = [None] * self.size
        out[0::2] = self.literals
        out[1::2] = self.getter(values)
        return "".join(out)

    def prefix_dropped(self, count):
        """The same template without the first `count` characters of its first literal."""
        copy = object.__new__(Template)
        copy.literals = [self.literals[0][count:]] + self.literals[1:]
        copy.getter, copy.size = self.getter, self.size
        return copy


def compile_template(value):
    return Template(json_text(value))


LIST_MAP_KEYS = {"containers": ("name",), "initContainers": ("name",), "ports": ("containerPort", "protocol"),
                 "env": ("name",), "volumeMounts": ("mountPath",), "volumes": ("name",), "conditions": ("type",),
                 "podIPs": ("ip",), "hostIPs": ("ip",), "ownerReferences": ("uid",), "addresses": ("type",)}
ATOMIC = {"containerStatuses", "tolerations", "command", "args", "finalizers", "images", "podCIDRs"}


def fields_v1(value, top=False):
    """A managedFields fieldsV1 set for the fields present in `value`."""
    out = {} if top else {".": {}}
    for key, item in value.items():
        name = "f:" + key
        if isinstance(item, dict) and item and key not in ATOMIC:
            out[name] = fields_v1(item)
        elif isinstance(item, list) and item and key in LIST_MAP_KEYS and all(isinstance(e, dict) for e in item):
            entries = {".": {}}
            for element in item:
                identity = {field: element.get(field) for field in LIST_MAP_KEYS[key] if field in element}
                entries["k:" + json.dumps(identity, separators=(",", ":"), sort_keys=True)] = fields_v1(element)
            out[name] = entries
        else:
            out[name] = {}
    return dict(sorted(out.items(), key=lambda entry: (entry[0] != ".", entry[0])))


def managed(manager, time_text, fields, subresource=None, operation="Update", api_version="v1"):
    entry = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": time_text,
             "fieldsType": "FieldsV1", "fieldsV1": fields}
    if subresource:
        entry["subresource"] = subresource
    return entry


def condition(kind, status, when, reason=None, message=None):
    out = {"type": kind, "status": status, "lastProbeTime": None, "lastTransitionTime": when}
    if reason:
        out["reason"] = reason
    if message:
        out["message"] = message
    return out


def qos_class(shapes):
    if all(shape == "besteffort" for shape in shapes):
        return "BestEffort"
    if all(shape == "guaranteed" for shape in shapes):
        return "Guaranteed"
    return "Burstable"


def container_spec(index, role, shape):
    extras = ROLES[role]
    spec = {"name": P(f"cname{index}"), "image": P(f"img{index}")}
    for key in ("command", "args", "ports", "env"):
        if key in extras:
            spec[key] = extras[key]
    resources = {}
    if shape == "req":
        resources = {"requests": {"cpu": P(f"cpu{index}"), "memory": P(f"mem{index}")}}
    elif shape == "req+memlim":
        resources = {"limits": {"memory": P(f"meml{index}")}, "requests": {"cpu": P(f"cpu{index}"), "memory": P(f"mem{index}")}}
    elif shape == "req+lim":
        resources = {"limits": {"cpu": P(f"cpul{index}"), "memory": P(f"meml{index}")},
                     "requests": {"cpu": P(f"cpu{index}"), "memory": P(f"mem{index}")}}
    elif shape == "guaranteed":
        resources = {"limits": {"cpu": P(f"cpu{index}"), "memory": P(f"mem{index}")},
                     "requests": {"cpu": P(f"cpu{index}"), "memory": P(f"mem{index}")}}
    spec["resources"] = resources
    spec["volumeMounts"] = list(extras.get("mounts", [])) + [
        {"name": "kube-api-access-" + P("vol"), "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
    for key in ("livenessProbe", "readinessProbe"):
        if key in extras:
            spec[key] = extras[key]
    spec["terminationMessagePath"] = "/dev/termination-log"
    spec["terminationMessagePolicy"] = "File"
    spec["imagePullPolicy"] = "IfNotPresent"
    if "securityContext" in extras:
        spec["securityContext"] = extras["securityContext"]
    return spec


def status_mounts(spec):
    return [{"name": mount["name"], "mountPath": mount["mountPath"], **({"readOnly": True} if mount.get("readOnly") else {}),
             **({"recursiveReadOnly": "Disabled"} if mount.get("readOnly") else {})} for mount in spec["volumeMounts"]]


def container_status(index, spec, variant):
    running = {"running": {"startedAt": P("t2")}}
    out = {"name": P(f"cname{index}"), "state": running, "lastState": {}, "ready": True, "restartCount": N(f"rc{index}"),
           "image": P(f"simg{index}"), "imageID": P(f"imgid{index}"), "containerID": "containerd://" + P(f"cid{index}"),
           "started": True}
    first = index == 0
    if variant == "restarted" and first:
        out["state"] = {"running": {"startedAt": P("t4")}}
        out["lastState"] = {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": P("t2"),
                                           "finishedAt": P("t4"), "containerID": "containerd://" + P("pcid0")}}
    elif variant == "notready" and first:
        out["ready"] = False
    elif variant == "crashloop" and first:
        out["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message":
                                    "back-off 5m0s restarting failed container=" + P("cname0") + " pod=" + P("name") + "_" +
                                    P("ns") + "(" + P("uid") + ")"}}
        out["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": P("t4"), "finishedAt": P("t5"),
                                           "containerID": "containerd://" + P("pcid0")}}
        out["ready"] = False
        out["started"] = False
    elif variant == "creating":
        out = {"name": P(f"cname{index}"), "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {},
               "ready": False, "restartCount": 0, "image": P(f"img{index}"), "imageID": "", "started": False}
    elif variant in ("succeeded", "failed", "evicted"):
        if variant == "succeeded":
            terminated = {"exitCode": 0, "reason": "Completed"}
        elif variant == "failed":
            terminated = {"exitCode": 1, "reason": "Error"}
        else:
            terminated = {"exitCode": 137, "reason": "ContainerStatusUnknown",
                          "message": "The container could not be located when the pod was terminated"}
        terminated.update({"startedAt": P("t2"), "finishedAt": P("t4"), "containerID": "containerd://" + P(f"cid{index}")})
        out["state"] = {"terminated": terminated}
        out["ready"] = False
        out["started"] = False
        if variant == "evicted":
            out["restartCount"] = 0
    out["volumeMounts"] = status_mounts(spec)
    return out


def pod_template(kind, variant, roles, shapes, host_network):
    """(metadata Template, rest Template, qosClass)."""
    labels = {
        "Deployment": {"app": P("app"), "pod-template-hash": P("hash")},
        "StatefulSet": {"app": P("app"), "apps.kubernetes.io/pod-index": P("index"),
                        "controller-revision-hash": P("crh"), "statefulset.kubernetes.io/pod-name": P("name")},
        "DaemonSet": {"app.kubernetes.io/name": P("app"), "controller-revision-hash": P("hash"),
                      "pod-template-generation": "1"},
        "Job": {"batch.kubernetes.io/controller-uid": P("owneruid"), "batch.kubernetes.io/job-name": P("owner"),
                "controller-uid": P("owneruid"), "job-name": P("owner")},
    }[kind]
    owner_kind = "ReplicaSet" if kind == "Deployment" else kind
    owner = [{"apiVersion": "batch/v1" if kind == "Job" else "apps/v1", "kind": owner_kind, "name": P("owner"),
              "uid": P("owneruid"), "controller": True, "blockOwnerDeletion": True}]
    meta = {"name": P("name"), "generateName": P("gen"), "namespace": P("ns"), "uid": P("uid"),
            "resourceVersion": P("rv"), "creationTimestamp": P("t0"), "labels": labels}
    if kind == "Job":
        meta["annotations"] = {"batch.kubernetes.io/job-tracking": ""}
    if kind == "DaemonSet" and roles[0] == "node-exporter":
        meta["annotations"] = {"prometheus.io/scrape": "true", "prometheus.io/port": "9100"}
    meta["ownerReferences"] = owner
    if kind == "Job" and variant == "running":
        meta["finalizers"] = ["batch.kubernetes.io/job-tracking"]

    containers = [container_spec(index, role, shape) for index, (role, shape) in enumerate(zip(roles, shapes))]
    volumes = []
    seen = set()
    for container in containers:
        for mount in container["volumeMounts"][:-1]:
            if mount["name"] in seen:
                continue
            seen.add(mount["name"])
            if mount["name"] == "data":
                volumes.append({"name": "data", "persistentVolumeClaim": {"claimName": "data-" + P("name")}})
            else:
                volumes.append({"name": mount["name"], **VOLUME_SOURCES[mount["name"]]})
    volumes.append({"name": "kube-api-access-" + P("vol"), "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}],
        "defaultMode": 420}})
    spec = {"volumes": volumes, "containers": containers,
            "restartPolicy": "OnFailure" if kind == "Job" else "Always", "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirstWithHostNet" if host_network else "ClusterFirst",
            "serviceAccountName": P("sa"), "serviceAccount": P("sa")}
    if variant != "unschedulable":
        spec["nodeName"] = P("node")
    if host_network:
        spec["hostNetwork"] = True
    spec["securityContext"] = {}
    if kind == "StatefulSet":
        spec["hostname"] = P("name")
        spec["subdomain"] = P("app")
    if kind == "DaemonSet":
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [P("node")]}]}]}}}
    spec["schedulerName"] = "default-scheduler"
    spec["tolerations"] = DAEMONSET_TOLERATIONS if kind == "DaemonSet" else DEFAULT_TOLERATIONS
    if kind == "DaemonSet" and roles[0] == "kube-proxy":
        spec["priorityClassName"] = "system-node-critical"
        spec["priority"] = 2000001000
    else:
        spec["priority"] = 0
    spec["enableServiceLinks"] = True
    spec["preemptionPolicy"] = "PreemptLowerPriority"

    qos = qos_class(shapes)
    names = " ".join(P(f"cname{index}") for index in range(len(roles)))
    if variant == "unschedulable":
        status = {"phase": "Pending", "conditions": [condition("PodScheduled", "False", P("t0"), "Unschedulable",
                  "0/" + P("nodes") + " nodes are available: " + P("nodes") + " Insufficient cpu. preemption: 0/" +
                  P("nodes") + " nodes are available: " + P("nodes") + " No preemption victims found for incoming pod.")],
                  "qosClass": qos}
    else:
        if variant in ("running", "restarted"):
            conditions = [condition("PodReadyToStartContainers", "True", P("t1")), condition("Initialized", "True", P("t0")),
                          condition("Ready", "True", P("t3")), condition("ContainersReady", "True", P("t3")),
                          condition("PodScheduled", "True", P("t0"))]
        elif variant in ("notready", "crashloop"):
            unready = "containers with unready status: [" + P("cname0") + "]"
            conditions = [condition("PodReadyToStartContainers", "True", P("t1")), condition("Initialized", "True", P("t0")),
                          condition("Ready", "False", P("t5"), "ContainersNotReady", unready),
                          condition("ContainersReady", "False", P("t5"), "ContainersNotReady", unready),
                          condition("PodScheduled", "True", P("t0"))]
        elif variant == "creating":
            unready = "containers with unready status: [" + names + "]"
            conditions = [condition("PodReadyToStartContainers", "False", P("t0")), condition("Initialized", "True", P("t0")),
                          condition("Ready", "False", P("t0"), "ContainersNotReady", unready),
                          condition("ContainersReady", "False", P("t0"), "ContainersNotReady", unready),
                          condition("PodScheduled", "True", P("t0"))]
        elif variant == "succeeded":
            conditions = [condition("PodReadyToStartContainers", "False", P("t4")),
                          condition("Initialized", "True", P("t0"), "PodCompleted"),
                          condition("Ready", "False", P("t4"), "PodCompleted"),
                          condition("ContainersReady", "False", P("t4"), "PodCompleted"),
                          condition("PodScheduled", "True", P("t0"))]
        else:  # failed, evicted
            conditions = [condition("PodReadyToStartContainers", "False", P("t4")), condition("Initialized", "True", P("t0")),
                          condition("Ready", "False", P("t4"), "PodFailed"),
                          condition("ContainersReady", "False", P("t4"), "PodFailed"),
                          condition("PodScheduled", "True", P("t0"))]
            if variant == "evicted":
                conditions.insert(0, condition("DisruptionTarget", "True", P("t4"), "TerminationByKubelet",
                                               "The node was low on resource: memory. Threshold quantity: 100Mi, available: 92160Ki. "))
        phase = {"creating": "Pending", "succeeded": "Succeeded", "failed": "Failed", "evicted": "Failed"}.get(variant, "Running")
        status = {"phase": phase, "conditions": conditions}
        if variant == "evicted":
            status["message"] = ("The node was low on resource: memory. Threshold quantity: 100Mi, available: 92160Ki. "
                                 "Container " + P("cname0") + " was using 1532Mi, request is " + P("evictreq") +
                                 ", has larger consumption of its request. ")
            status["reason"] = "Evicted"
        status["hostIP"] = P("hostip")
        status["hostIPs"] = [{"ip": P("hostip")}]
        if variant != "creating":
            status["podIP"] = P("podip")
            status["podIPs"] = [{"ip": P("podip")}]
        status["startTime"] = P("t0")
        status["containerStatuses"] = [container_status(index, container, variant)
                                       for index, container in enumerate(containers)]
        status["qosClass"] = qos

    controller_meta = {key: meta[key] for key in ("generateName", "labels", "annotations", "ownerReferences", "finalizers")
                       if key in meta}
    controller_spec = {key: value for key, value in spec.items() if key != "nodeName"}
    entries = [managed("kube-controller-manager", P("t0"),
                       {"f:metadata": fields_v1(controller_meta, top=True), "f:spec": fields_v1(controller_spec, top=True)})]
    status_fields = {key: value for key, value in status.items() if key not in ("qosClass",)}
    entries.append(managed("kube-scheduler" if variant == "unschedulable" else "kubelet",
                           P("t0") if variant == "unschedulable" else P("t5"),
                           {"f:status": fields_v1(status_fields, top=True)}, subresource="status"))
    meta["managedFields"] = entries
    rest = {"spec": spec, "status": status}
    rest_template = compile_template(rest).prefix_dropped(1)
    rest_template.literals[0] = "," + rest_template.literals[0]
    return compile_template(meta), rest_template, qos


_CUMULATIVE = {}


def pick(rng, choices, weights):
    key = (repr(choices), tuple(weights))
    table = _CUMULATIVE.get(key)
    if table is None:
        total, cumulative = 0, []
        for weight in weights:
            total += weight
            cumulative.append(total)
        table = _CUMULATIVE[key] = (list(choices), cumulative, total)
    return table[0][bisect.bisect_right(table[1], rng.random() * table[2])]


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def full_image(image):
    """What containerd reports in status.image: the fully qualified reference."""
    first = image.split("/")[0]
    if "/" not in image:
        return "docker.io/library/" + image
    if "." not in first and ":" not in first and first != "localhost":
        return "docker.io/" + image
    return image


def image_id(image):
    qualified = full_image(image)
    repository = qualified.rsplit(":", 1)[0] if ":" in qualified.split("/")[-1] else qualified
    return f"{repository}@sha256:{digest(qualified)}"


def make_uid(rng):
    """A random (version 4) UUID from `rng`, so synthetic clusters are reproducible."""
    text = "%032x" % rng.getrandbits(128)
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{'89ab'[int(text[16], 16) & 3]}{text[17:20]}-{text[20:]}"


_PAIRS = [first + second for first in ALPHABET for second in ALPHABET]


def suffix(rng, length):
    """rand.String(length) of k8s.io/apimachinery: the suffix of generated names."""
    random_ = rng.random
    out = "".join(_PAIRS[int(random_() * 729)] for _ in range(length // 2))
    return out + ALPHABET[int(random_() * 27)] if length % 2 else out


def below(rng, count):
    return int(rng.random() * count)


def choose(rng, sequence):
    return sequence[int(rng.random() * len(sequence))]


def app_resources(rng, role):
    if role in FIXED_RESOURCES:
        return FIXED_RESOURCES[role]
    shape = pick(rng, ["req", "req+memlim", "req+lim", "guaranteed", "besteffort"], [40, 30, 10, 15, 5])
    cpu = choose(rng, ["50m", "100m", "200m", "250m", "500m", "1"])
    memory = choose(rng, ["64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi"])
    if shape == "besteffort":
        return (shape, None, None, None, None)
    if shape == "guaranteed":
        return (shape, cpu, memory, cpu, memory)
    return (shape, cpu, memory, choose(rng, ["500m", "1", "2"]) if shape == "req+lim" else None,
            {"64Mi": "128Mi", "128Mi": "256Mi", "256Mi": "512Mi", "512Mi": "1Gi", "1Gi": "2Gi", "2Gi": "4Gi"}[memory])


class Synthetic:
    """Builds N pods over M nodes (plus Node and Namespace objects) as pre-serialized
    Objs, from a few JSON templates filled with per-pod values."""

    def __init__(self, app, pods, nodes, seed):
        self.app, self.pods, self.nodes, self.rng = app, pods, max(1, nodes), random.Random(seed)
        self.templates = {}
        self.node_names = [f"node-{index:04d}" if self.nodes < 10000 else f"node-{index:05d}" for index in range(self.nodes)]
        self.node_ips = [f"10.0.{index // 250}.{index % 250 + 4}" for index in range(self.nodes)]
        self.node_pod_counts = [0] * self.nodes
        self.used_names = set()
        self.variant_cursor = 0

    def next_rv(self):
        self.app.rv += 1
        return self.app.rv

    def template(self, kind, variant, roles, shapes, host_network):
        key = (kind, variant, tuple(roles), tuple(shapes), host_network)
        template = self.templates.get(key)
        if template is None:
            template = self.templates[key] = pod_template(kind, variant, roles, shapes, host_network)
        return template

    def run(self):
        rng = self.rng
        namespaces = set(APP_NAMESPACES) | {"kube-system", "kube-public", "kube-node-lease"}
        daemonsets = DAEMONSETS[:min(3, self.pods // (4 * self.nodes))]
        namespaces |= {namespace for _, namespace, _, _ in daemonsets}
        namespaces_store = self.app.store("", "v1", "namespaces")
        for index, name in enumerate(sorted(namespaces)):
            created = timestamp(BASE_TIME - 90 * 86400 + index)
            document = {"metadata": {"name": name, "uid": make_uid(rng), "creationTimestamp": created,
                                     "labels": {"kubernetes.io/metadata.name": name},
                                     "managedFields": [managed("kube-apiserver" if name.startswith("kube-") or name == "default"
                                                               else "kubectl-create", created,
                                                               {"f:metadata": {"f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}}}})]},
                        "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
            self.app.upsert(namespaces_store, document, emit=False)
        self.make_nodes()
        pods_store = self.app.store("", "v1", "pods")
        objects = pods_store.objects
        remaining = self.pods
        for name, namespace, roles, host_network in daemonsets:
            for node in range(self.nodes):
                self.add_pod(objects, "DaemonSet", self.daemonset_workload(name, namespace, roles, host_network), node=node)
            remaining -= self.nodes
        kinds = ["Deployment", "StatefulSet", "Job"]
        while remaining > 0:
            kind = pick(rng, kinds, [80, 10, 10])
            replicas = min(remaining, choose(rng, [1, 1, 2, 2, 3, 3, 3, 4, 5, 6, 8, 10, 12, 20]) if kind != "Job" else choose(rng, [1, 1, 2, 3]))
            workload = self.workload(kind)
            for index in range(replicas):
                self.add_pod(objects, kind, workload, index=index)
            remaining -= replicas
        pods_store.keys = sorted(objects)
        self.app.compacted = self.app.rv

    def make_nodes(self):
        rng = self.rng
        store = self.app.store("", "v1", "nodes")
        images = sorted(set(SIDECAR_IMAGES.values()))
        for index, name in enumerate(self.node_names):
            created = timestamp(BASE_TIME - 60 * 86400 + index * 7)
            heartbeat = timestamp(BASE_TIME + 3600)
            zone = "eu-west-1" + "abc"[index % 3]
            labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": "m5.xlarge",
                      "beta.kubernetes.io/os": "linux", "failure-domain.beta.kubernetes.io/region": "eu-west-1",
                      "failure-domain.beta.kubernetes.io/zone": zone, "kubernetes.io/arch": "amd64",
                      "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                      "node.kubernetes.io/instance-type": "m5.xlarge", "topology.kubernetes.io/region": "eu-west-1",
                      "topology.kubernetes.io/zone": zone}
            cidr = f"10.{64 + index // 256}.{index % 256}.0/24"
            status = {
                "capacity": {"cpu": "4", "ephemeral-storage": "83873772Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                             "memory": "15896988Ki", "pods": "110"},
                "allocatable": {"cpu": "3920m", "ephemeral-storage": "76224326324", "hugepages-1Gi": "0",
                                "hugepages-2Mi": "0", "memory": "14880156Ki", "pods": "110"},
                "conditions": [
                    {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": heartbeat, "lastTransitionTime": created,
                     "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available"},
                    {"type": "DiskPressure", "status": "False", "lastHeartbeatTime": heartbeat, "lastTransitionTime": created,
                     "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure"},
                    {"type": "PIDPressure", "status": "False", "lastHeartbeatTime": heartbeat, "lastTransitionTime": created,
                     "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available"},
                    {"type": "Ready", "status": "True", "lastHeartbeatTime": heartbeat, "lastTransitionTime": created,
                     "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
                "addresses": [{"type": "InternalIP", "address": self.node_ips[index]},
                              {"type": "InternalDNS", "address": f"ip-{self.node_ips[index].replace('.', '-')}.eu-west-1.compute.internal"},
                              {"type": "Hostname", "address": name}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"machineID": "%032x" % rng.getrandbits(128), "systemUUID": make_uid(rng), "bootID": make_uid(rng),
                             "kernelVersion": "6.1.0-21-cloud-amd64", "osImage": "Debian GNU/Linux 12 (bookworm)",
                             "containerRuntimeVersion": "containerd://1.7.18", "kubeletVersion": "v1.30.2",
                             "kubeProxyVersion": "v1.30.2", "operatingSystem": "linux", "architecture": "amd64"},
                "images": [{"names": [image_id(image), full_image(image)], "sizeBytes": int(digest(image)[:6], 16) * 64}
                           for image in images]}
            document = {"metadata": {
                "name": name, "uid": make_uid(rng), "creationTimestamp": created, "labels": labels,
                "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
                "managedFields": [
                    managed("kubelet", created, {"f:metadata": fields_v1({"annotations": {"volumes.kubernetes.io/controller-managed-attach-detach": ""},
                                                                         "labels": labels}, top=True)}),
                    managed("kube-controller-manager", created, {"f:metadata": {"f:annotations": {"f:node.alpha.kubernetes.io/ttl": {}}},
                                                                 "f:spec": {"f:podCIDR": {}, "f:podCIDRs": {".": {}, f"v:\"{cidr}\"": {}}}}),
                    managed("kubelet", heartbeat, {"f:status": fields_v1({key: status[key] for key in ("conditions", "images", "nodeInfo")}, top=True)},
                            subresource="status")]},
                "spec": {"podCIDR": cidr, "podCIDRs": [cidr],
                         "providerID": f"aws:///{zone}/i-{rng.getrandbits(68):017x}"},
                "status": status}
            self.app.upsert(store, document, emit=False)

    def daemonset_workload(self, name, namespace, roles, host_network):
        rng = self.rng
        created = BASE_TIME - 30 * 86400 + below(rng, 86400)
        return self.workload_values("DaemonSet", name, namespace, roles, created, owner=name, host_network=host_network,
                                    hash_=suffix(rng, 10), sa=name)

    def workload(self, kind):
        rng = self.rng
        namespace = choose(rng, APP_NAMESPACES)
        base = f"{choose(rng, APP_NAMES)}-{choose(rng, APP_SUFFIXES)}" if kind != "StatefulSet" else \
            choose(rng, ["postgres", "redis", "kafka", "zookeeper", "etcd", "rabbitmq"])
        name = base
        counter = 1
        while (namespace, name) in self.used_names:
            counter += 1
            name = f"{base}-{counter}"
        self.used_names.add((namespace, name))
        created = BASE_TIME - below(rng, 30 * 86400)
        if kind == "Deployment":
            hash_ = suffix(rng, 10)
            return self.workload_values(kind, name, namespace, pick(rng, *zip(*DEPLOYMENT_PROFILES)), created,
                                        owner=f"{name}-{hash_}", hash_=hash_)
        if kind == "StatefulSet":
            profile = ["postgres", "postgres-exporter"] if name == "postgres" else ["redis"]
            return self.workload_values(kind, name, namespace, profile, created, owner=name, hash_=suffix(rng, 10))
        job = f"{name}-{28000000 + below(rng, 600000)}"
        return self.workload_values(kind, name, namespace, ["batch"], created, owner=job, hash_="")

    def workload_values(self, kind, app, namespace, roles, created, owner, hash_, host_network=False, sa="default"):
        rng = self.rng
        values = {"app": app, "ns": namespace, "owner": owner, "owneruid": make_uid(rng), "hash": hash_,
                  "crh": f"{app}-{hash_}", "sa": sa, "nodes": str(self.nodes),
                  "t0": timestamp(created), "t1": timestamp(created + 2), "t2": timestamp(created + 3),
                  "t3": timestamp(created + 9), "t4": timestamp(created + 3600), "t5": timestamp(created + 3605)}
        values["gen"] = f"{owner}-" if kind in ("Deployment", "Job") else f"{app}-"
        shapes = []
        version = f"{1 + below(rng, 3)}.{below(rng, 30)}.{below(rng, 10)}"
        for index, role in enumerate(roles):
            shape, cpu, memory, cpu_limit, memory_limit = app_resources(rng, role)
            shapes.append(shape)
            if role in SIDECAR_IMAGES:
                image = SIDECAR_IMAGES[role]
                container = role if index else (app if kind == "Deployment" and role == "nginx" else role)
            else:
                image = f"ghcr.io/acme/{app}:{version}"
                container = app if role != "batch" else "report"
            values.update({f"cname{index}": container, f"img{index}": image, f"simg{index}": full_image(image),
                           f"imgid{index}": image_id(image), f"cpu{index}": cpu or "", f"mem{index}": memory or "",
                           f"cpul{index}": cpu_limit or "", f"meml{index}": memory_limit or ""})
        labels = {
            "Deployment": lambda: {"app": app, "pod-template-hash": hash_},
            "StatefulSet": lambda: None,
            "DaemonSet": lambda: {"app.kubernetes.io/name": app, "controller-revision-hash": hash_,
                                  "pod-template-generation": "1"},
            "Job": lambda: {"batch.kubernetes.io/controller-uid": values["owneruid"], "batch.kubernetes.io/job-name": owner,
                            "controller-uid": values["owneruid"], "job-name": owner},
        }[kind]()
        return {"kind": kind, "roles": roles, "shapes": shapes, "values": values, "host_network": host_network,
                "restart": "OnFailure" if kind == "Job" else "Always", "sa": sa, "labels": labels}

    def add_pod(self, objects, kind, workload, index=0, node=None):
        rng = self.rng
        if kind == "Job":
            variant = pick(rng, JOB_VARIANTS, JOB_WEIGHTS)
        elif kind == "DaemonSet":
            variant = "running" if rng.random() < 0.97 else "restarted"
        elif self.variant_cursor < len(VARIANTS):  # small clusters still show every status
            variant = VARIANTS[self.variant_cursor]
            self.variant_cursor += 1
        else:
            variant = pick(rng, VARIANTS, VARIANT_WEIGHTS)
        values = dict(workload["values"])
        if kind == "StatefulSet":
            name = f"{values['app']}-{index}"
            values["index"] = str(index)
        else:
            name = values["gen"] + suffix(rng, 5)
            while f"{values['ns']}/{name}" in objects:
                name = values["gen"] + suffix(rng, 5)
        namespace = values["ns"]
        if node is None:
            node = below(rng, self.nodes)
        rv = self.next_rv()
        uid = make_uid(rng)
        count = self.node_pod_counts[node] = self.node_pod_counts[node] + 1
        node_ip = self.node_ips[node]
        pod_ip = node_ip if workload["host_network"] else f"10.{64 + node // 256}.{node % 256}.{count % 254 + 1}" \
            if count < 254 else f"10.{128 + node // 256}.{node % 256}.{count % 254 + 1}"
        restarts = 1 + below(rng, 5) if variant == "restarted" else 5 + below(rng, 295) if variant == "crashloop" else 0
        values["evictreq"] = values.get("mem0") or "0"
        values.update({"name": name, "uid": uid, "rv": str(rv), "node": self.node_names[node], "hostip": node_ip,
                       "podip": pod_ip, "vol": suffix(rng, 5), "pcid0": "%064x" % rng.getrandbits(256)})
        for position in range(len(workload["roles"])):
            values[f"cid{position}"] = "%064x" % rng.getrandbits(256)
            values[f"rc{position}"] = str(restarts if position == 0 else 0)
        meta_template, rest_template, _ = self.template(kind, variant, workload["roles"], workload["shapes"],
                                                        workload["host_network"])
        meta = meta_template.fill(values)  # ASCII: characters are bytes
        body = "".join(('{"metadata":', meta, rest_template.fill(values))).encode()
        if kind == "StatefulSet":
            labels = {"app": values["app"], "apps.kubernetes.io/pod-index": values["index"],
                      "controller-revision-hash": values["crh"], "statefulset.kubernetes.io/pod-name": name}
        else:
            labels = workload["labels"]  # shared by the replicas, never mutated
        phase = {"creating": "Pending", "unschedulable": "Pending", "succeeded": "Succeeded", "failed": "Failed",
                 "evicted": "Failed"}.get(variant, "Running")
        fields = {"metadata.name": name, "metadata.namespace": namespace,
                  "spec.nodeName": "" if variant == "unschedulable" else self.node_names[node],
                  "spec.restartPolicy": workload["restart"], "spec.schedulerName": "default-scheduler",
                  "spec.serviceAccountName": workload["sa"], "spec.hostNetwork": "true" if workload["host_network"] else "false",
                  "status.phase": phase, "status.podIP": "" if variant in ("creating", "unschedulable") else pod_ip,
                  "status.nominatedNodeName": ""}
        key = f"{namespace}/{name}"
        objects[key] = Obj(key, namespace, name, rv, uid, values["t0"], labels, fields, body, 12 + len(meta))


# ---------------------------------------------------------------------------------
# Pod churn (scripts/soak)


class PodChurn:
    """Pushes `events` pod watch events through the pods store, on the loop thread, the
    way a busy cluster makes them: creates (synthetic pods of new or recent workloads,
    half of them still Pending), updates as the scheduler, kubelet and controllers
    write them (scheduling, phase changes, readiness flips, container restarts and
    crash loops, label changes, the deletionTimestamp of a graceful deletion) and
    deletes (terminating pods first). The number of pods wanders around where it
    started and the last events bring it back there exactly.

    Paced by the watches: a batch is generated only while every open pods watch has
    less than `backlog` bytes waiting to be sent (and, for up to `watch_wait` seconds,
    only while one is open), so the server never buffers more than the watcher
    takes and the rate achieved is the watcher's."""

    MIX = {"create": 15, "update": 70, "delete": 15}
    UPDATES = {"restart": 25, "ready": 20, "phase": 20, "label": 25, "terminate": 10}
    TRACKS = ["stable", "canary", "blue", "green"]

    def __init__(self, app, body):
        self.app = app
        self.store = app.store("", "v1", "pods")
        self.total = int(body.get("events", 1000000))
        self.target = int(body.get("target", len(self.store.objects)))
        self.band = max(1, int(body.get("band", max(1, self.target // 4))))
        self.batch = max(1, int(body.get("batch", 200)))
        self.backlog = int(body.get("backlog", 4 << 20))
        self.watch_wait = float(body.get("watch_wait", 30))
        mix = dict(self.MIX, **(body.get("mix") or {}))
        self.create_share = (mix["create"] + mix["delete"]) / sum(mix.values())
        self.updates = dict(self.UPDATES, **(body.get("updates") or {}))
        nodes = self.app.stores.get(("", "v1", "nodes"))
        # Not the seed itself: --synthetic-pods with the same seed would hand out its UIDs again.
        seed = f"churn-{body.get('seed', 7)}"
        self.rng = random.Random(seed)
        self.synthetic = Synthetic(app, self.target, len(nodes.objects) if nodes else 1, seed + "-pods")
        self.synthetic.variant_cursor = len(VARIANTS)
        self.keys = list(self.store.keys)
        self.positions = {key: index for index, key in enumerate(self.keys)}
        self.terminating = collections.deque()
        self.documents = {}  # key -> [document, its spec's JSON, its managedFields' JSON], once updated
        self.workloads = collections.deque(maxlen=200)  # [kind, workload, next StatefulSet index]
        self.counts = collections.Counter()
        self.done = 0
        self.running = True
        self.error = None
        self.stalls = 0
        self.started = time.time()
        self.finished = None

    def status(self):
        return {"running": self.running, "done": self.done, "total": self.total, "pods": len(self.store.objects),
                "target": self.target, "counts": dict(self.counts), "stalls": self.stalls, "error": self.error,
                "resourceVersion": str(self.app.rv), "started": self.started, "finished": self.finished}

    async def run(self):
        try:
            while self.done < self.total:
                await self.wait_for_room()
                for _ in range(min(self.batch, self.total - self.done)):
                    self.step()
                    self.done += 1
                await asyncio.sleep(0)
        except Exception as error:  # reported by the status, never a silent stop
            self.error = f"{type(error).__name__}: {error}"
            print(f"fake_apiserver: churn stopped: {error!r}", file=sys.stderr, flush=True)
        self.running = False
        self.finished = time.time()

    def pending(self, watch):
        """Bytes a watch has not sent yet (a queued generator: the initial events, not yet drained)."""
        queue = watch.proto.outbound.get(watch.stream_id) or ()
        waiting = sum(len(item) if isinstance(item, (bytes, bytearray, memoryview)) else self.backlog + 1
                      for item in queue)
        return waiting + (watch.proto.transport.get_write_buffer_size() if watch.proto.transport else 0)

    async def wait_for_room(self):
        waited = 0.0
        while True:
            watches = [watch for watch in self.store.watches if not watch.closed]
            if watches and all(self.pending(watch) <= self.backlog for watch in watches):
                return
            if not watches:
                if waited >= self.watch_wait:
                    return
                self.stalls += 1
            await asyncio.sleep(0.002)
            waited += 0.002

    # one event

    def step(self):
        remaining = self.total - self.done
        gap = len(self.keys) - self.target
        if remaining <= abs(gap) + 1:  # the last events bring the count back to the target
            return self.delete() if gap > 0 else self.create() if gap < 0 else self.update()
        if not self.keys or self.rng.random() < self.create_share:
            # creates and deletes in equal measure around the target, leaning back inside the band
            lean = min(0.4, max(-0.4, gap / (2 * self.band)))
            return self.create() if not self.keys or self.rng.random() < 0.5 - lean else self.delete()
        self.update()

    def add_key(self, key):
        self.positions[key] = len(self.keys)
        self.keys.append(key)

    def drop_key(self, key):
        index = self.positions.pop(key)
        last = self.keys.pop()
        if last != key:
            self.keys[index] = last
            self.positions[last] = index

    def create(self):
        rng, synthetic = self.rng, self.synthetic
        entry = self.workloads[int(rng.random() * len(self.workloads))] if self.workloads and rng.random() < 0.7 else None
        while True:
            if entry is None:
                kind = pick(rng, ["Deployment", "StatefulSet", "Job"], [80, 10, 10])
                entry = [kind, synthetic.workload(kind), 0]
                self.workloads.append(entry)
            kind, workload, index = entry
            entry[2] += 1
            if rng.random() < 0.5 and kind != "Job":
                synthetic.variant_cursor = VARIANTS.index("creating")  # add_pod takes the next listed variant
            staging = _ChurnStaging(self.store.objects)
            synthetic.add_pod(staging, kind, workload, index=index)
            synthetic.variant_cursor = len(VARIANTS)
            (key, obj), = staging.items()
            if key not in self.store.objects:
                break
            # A StatefulSet pod name the cluster already has (the seeded cluster's or an
            # earlier churn's workload of that name): another workload.
            self.workloads.remove(entry)
            entry = None
        self.store.put(obj)
        self.add_key(key)
        self.counts["create"] += 1
        self.app.record_event(Event(obj.rv, self.store, "ADDED", key, obj, None))

    def delete(self):
        key = None
        while self.terminating and key is None:
            candidate = self.terminating.popleft()
            key = candidate if candidate in self.store.objects else None
        if key is None:
            key = self.keys[int(self.rng.random() * len(self.keys))]
        obj = self.store.objects[key]
        self.drop_key(key)
        self.documents.pop(key, None)
        self.counts["delete"] += 1
        self.app.delete(self.store, obj.namespace, obj.name)

    def update(self):
        rng = self.rng
        key = self.keys[int(rng.random() * len(self.keys))]
        previous = self.store.objects[key]
        cached = self.documents.get(key)
        if cached is None:
            document = previous.to_dict()
            cached = self.documents[key] = [document, dumps(document["spec"]),
                                            dumps(document["metadata"].pop("managedFields", None))]
        document = cached[0]
        kind = pick(rng, list(self.updates), list(self.updates.values()))
        kind = getattr(self, "update_" + kind)(document, rng) or self.update_label(document, rng)
        if kind == "phase":
            cached[1] = dumps(document["spec"])  # scheduling sets spec.nodeName
        self.counts["update"] += 1
        self.counts["update_" + kind] += 1
        self.store_update(key, cached, previous)

    def store_update(self, key, cached, previous):
        """What App.upsert does, re-encoding only the metadata and status (the spec and
        managedFields are kept encoded): a full encode of a 7 KB pod would halve the rate."""
        document, spec, managed_fields = cached
        self.app.rv += 1
        rv = self.app.rv
        meta = document["metadata"]
        meta["resourceVersion"] = str(rv)
        meta_bytes = dumps(ordered_metadata(meta))
        if managed_fields != b"null":
            meta_bytes = meta_bytes[:-1] + b',"managedFields":' + managed_fields + b"}"
        body = b'{"metadata":' + meta_bytes + b',"spec":' + spec + b',"status":' + dumps(document["status"]) + b"}"
        fields = {"metadata.name": previous.name, "metadata.namespace": previous.namespace}
        for label, getter in self.store.getters.items():
            fields[label] = getter(document)
        obj = Obj(key, previous.namespace, previous.name, rv, previous.uid, previous.created, dict(meta.get("labels") or {}),
                  fields, body, 12 + len(meta_bytes))
        self.store.put(obj)
        self.app.record_event(Event(rv, self.store, "MODIFIED", key, obj, previous))

    # updates: each changes `document` and returns its name, or None when it does not apply

    @staticmethod
    def now():
        return timestamp(time.time())

    @staticmethod
    def set_condition(status, kind, value, reason=None):
        for item in status.setdefault("conditions", []):
            if item.get("type") == kind:
                if item.get("status") != value:
                    item["lastTransitionTime"] = PodChurn.now()
                item["status"] = value
                item.pop("reason", None)
                item.pop("message", None)
                if reason:
                    item["reason"] = reason
                return
        status["conditions"].append(condition(kind, value, PodChurn.now(), reason))

    def readiness(self, status):
        ready = all(item.get("ready") for item in status.get("containerStatuses") or [{}])
        self.set_condition(status, "Ready", "True" if ready else "False", None if ready else "ContainersNotReady")
        self.set_condition(status, "ContainersReady", "True" if ready else "False", None if ready else "ContainersNotReady")

    def update_restart(self, document, rng):
        status = document.get("status") or {}
        statuses = status.get("containerStatuses")
        if status.get("phase") != "Running" or not statuses:
            return None
        item = statuses[int(rng.random() * len(statuses))]
        now = self.now()
        previous = (item.get("state") or {}).get("running", {}).get("startedAt", now)
        reason, code = ("OOMKilled", 137) if rng.random() < 0.5 else ("Error", 1)
        item["lastState"] = {"terminated": {"exitCode": code, "reason": reason, "startedAt": previous, "finishedAt": now,
                                            "containerID": item.get("containerID", "")}}
        item["restartCount"] = int(item.get("restartCount", 0)) + 1
        item["containerID"] = "containerd://%064x" % rng.getrandbits(256)
        if rng.random() < 0.3:
            item["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s restarting failed container"}}
            item["started"] = False
        else:
            item["state"] = {"running": {"startedAt": now}}
            item["started"] = True
        item["ready"] = False
        self.readiness(status)
        return "restart"

    def update_ready(self, document, rng):
        status = document.get("status") or {}
        statuses = status.get("containerStatuses")
        if status.get("phase") != "Running" or not statuses:
            return None
        item = statuses[int(rng.random() * len(statuses))]
        item["ready"] = not item.get("ready")
        if item["ready"] and "running" not in (item.get("state") or {}):
            item["state"] = {"running": {"startedAt": self.now()}}
            item["started"] = True
        self.readiness(status)
        return "ready"

    def update_phase(self, document, rng):
        spec, status = document.setdefault("spec", {}), document.setdefault("status", {})
        phase, now = status.get("phase"), self.now()
        containers = spec.get("containers") or []
        if phase == "Pending" and not spec.get("nodeName"):  # scheduled
            node = self.synthetic.node_names[int(rng.random() * self.synthetic.nodes)]
            spec["nodeName"] = node
            status["conditions"] = [item for item in status.get("conditions", []) if item.get("type") != "PodScheduled"]
            self.set_condition(status, "PodScheduled", "True")
            status["hostIP"] = self.synthetic.node_ips[self.synthetic.node_names.index(node)]
            status["startTime"] = now
            status["containerStatuses"] = [{"name": item["name"], "state": {"waiting": {"reason": "ContainerCreating"}},
                                            "lastState": {}, "ready": False, "restartCount": 0, "image": item.get("image", ""),
                                            "imageID": "", "started": False} for item in containers]
            self.readiness(status)
        elif phase == "Pending":  # containers started
            status["podIP"] = "10.%d.%d.%d" % (200 + int(rng.random() * 50), int(rng.random() * 256), 1 + int(rng.random() * 254))
            status["podIPs"] = [{"ip": status["podIP"]}]
            status["phase"] = "Running"
            for item in status.get("containerStatuses") or []:
                item.update(state={"running": {"startedAt": now}}, ready=True, started=True,
                            imageID=image_id(item.get("image", "")), containerID="containerd://%064x" % rng.getrandbits(256))
            self.set_condition(status, "PodReadyToStartContainers", "True")
            self.readiness(status)
        elif phase == "Running":  # a job's pod ran to completion or failed; another pod was evicted (rarely)
            if spec.get("restartPolicy") in ("OnFailure", "Never"):
                finished = "Succeeded" if rng.random() < 0.8 else "Failed"
            elif rng.random() < 0.2:
                finished = "Failed"
            else:
                return None
            code, reason = (0, "Completed") if finished == "Succeeded" else (137, "Error")
            for item in status.get("containerStatuses") or []:
                started = (item.get("state") or {}).get("running", {}).get("startedAt", now)
                item.update(state={"terminated": {"exitCode": code, "reason": reason, "startedAt": started, "finishedAt": now,
                                                  "containerID": item.get("containerID", "")}}, ready=False, started=False)
            status["phase"] = finished
            if finished == "Failed" and rng.random() < 0.5:
                status["reason"] = "Evicted"
                status["message"] = "The node was low on resource: memory. "
            self.set_condition(status, "PodReadyToStartContainers", "False")
            self.readiness(status)
        else:
            return None
        return "phase"

    def update_label(self, document, rng):
        labels = document["metadata"].setdefault("labels", {})
        choice = int(rng.random() * (len(self.TRACKS) + 1))
        track = self.TRACKS[choice] if choice < len(self.TRACKS) else None  # one in five removes it
        if track is None or track == labels.get("track"):
            labels.pop("track", None)
        else:
            labels["track"] = track
        return "label"

    def update_terminate(self, document, rng):
        meta = document["metadata"]
        if meta.get("deletionTimestamp"):
            return None
        meta["deletionTimestamp"] = timestamp(time.time() + 30)
        meta["deletionGracePeriodSeconds"] = 30
        self.terminating.append(f"{meta['namespace']}/{meta['name']}")
        return "terminate"

    # what the server holds, for the driver to compare with the agent

    def pods(self):
        out = []
        for key in self.store.keys:
            document = self.store.objects[key].to_dict()
            meta, status = document["metadata"], document.get("status") or {}
            out.append({"namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"],
                        "phase": status.get("phase", ""), "labels": meta.get("labels") or {},
                        "deletionTimestamp": meta.get("deletionTimestamp"),
                        "containers": [{"name": item["name"], "restartCount": item.get("restartCount", 0),
                                        "ready": bool(item.get("ready"))} for item in status.get("containerStatuses") or []]})
        return out


class _ChurnStaging(dict):
    """Where Synthetic.add_pod puts one new pod: a name taken in the live store counts as taken."""

    def __init__(self, live):
        super().__init__()
        self.live = live

    def __contains__(self, key):
        return dict.__contains__(self, key) or key in self.live


def churn_control(app, path, body):
    """The churn control commands: POST /churn starts one (see PodChurn), GET
    /churn/status reports it, GET /churn/pods lists what the pods store holds."""
    churn = getattr(app, "churn", None)
    if path == "/churn":
        if churn is not None and churn.running:
            return 409, {"error": "a churn is running"}
        app.churn = churn = PodChurn(app, body)
        asyncio.ensure_future(churn.run())
        return churn.status()
    if churn is None:
        return 404, {"error": "no churn was started"}
    if path == "/churn/status":
        return churn.status()
    return {"resourceVersion": str(app.rv), "pods": churn.pods()}


# ---------------------------------------------------------------------------------
# Preloading


def preload(app, path):
    with open(path) as handle:
        data = json.load(handle)
    if isinstance(data, dict) and "kind" in data and "metadata" in data and "items" not in data:
        data = {"items": [data]}  # one object, as `kubectl get pod NAME -o json` prints it
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        for document in data["items"]:
            api_version = document.get("apiVersion", "v1")
            group, _, version = api_version.rpartition("/")
            kind = document.get("kind", "")
            resource = KIND_TO_RESOURCE.get((group, kind)) or (kind.lower() + "s")
            store = app.store(group, version, resource, create=True, kind=kind,
                              namespaced=bool((document.get("metadata") or {}).get("namespace")))
            app.upsert(store, document, emit=False)
    else:
        for name, documents in data.items():
            parts = name.split("/")
            if len(parts) == 1:
                group, version, resource = "", "v1", parts[0]
            elif len(parts) == 2:
                group, version, resource = "", parts[0], parts[1]
            else:
                group, version, resource = parts[0], parts[1], parts[2]
            for document in documents:
                store = app.resolve_store({"resource": resource, "group": group, "version": version}, document)
                app.upsert(store, document, emit=False)
    app.compacted = app.rv


def dump(app, path):
    out = {}
    for store in app.stores.values():
        out[store.label] = [json.loads(store.full(store.objects[key])) for key in store.keys]
    with open(path, "w") as handle:
        json.dump(out, handle, indent=4, ensure_ascii=False)
        handle.write("\n")


# ---------------------------------------------------------------------------------
# Main


async def serve(app, args):
    loop = asyncio.get_running_loop()
    app.loop = loop
    loop.set_exception_handler(lambda loop, context: None)  # TLS handshake failures and resets are expected
    context = None
    if not args.plaintext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(args.cert, args.key)
        context.set_alpn_protocols(["h2"])
        if args.client_ca:
            context.load_verify_locations(args.client_ca)
            context.verify_mode = ssl.CERT_OPTIONAL if args.token_file else ssl.CERT_REQUIRED
    server = await loop.create_server(lambda: H2Protocol(app), args.host, args.port, ssl=context,
                                      reuse_address=True, backlog=128)
    port = server.sockets[0].getsockname()[1]

    ControlHandler.app = app
    control = http.server.ThreadingHTTPServer((args.host, args.control_port), ControlHandler)
    control.daemon_threads = True
    threading.Thread(target=control.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    stop = asyncio.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)

    async def bookmarks():
        while args.bookmark_interval > 0:
            await asyncio.sleep(args.bookmark_interval)
            for watch in list(app.watches):
                if watch.bookmarks:
                    watch.bookmark()
    ticker = asyncio.ensure_future(bookmarks())

    parent = os.getppid()

    def watch_parent():  # a test process that crashed must not leave its server behind
        while os.getppid() == parent:
            time.sleep(0.5)
        loop.call_soon_threadsafe(stop.set)
    if not args.keep_without_parent:
        threading.Thread(target=watch_parent, daemon=True).start()

    print(f"READY {port} {control.server_address[1]}", flush=True)
    await stop.wait()
    ticker.cancel()
    server.close()
    for proto in list(app.protocols):
        proto.goaway()
        if proto.transport:
            proto.transport.close()
    control.shutdown()
    control.server_close()
    if app.record_file:
        app.record_file.close()


def main():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description="A fake Kubernetes API server (HTTP/2) for Telegen's tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--plaintext", action="store_true", help="h2c with prior knowledge instead of TLS")
    parser.add_argument("--client-ca")
    parser.add_argument("--token-file")
    parser.add_argument("--user", default="system:serviceaccount:telegen:telegen")
    parser.add_argument("--record")
    parser.add_argument("--objects", action="append", default=[])
    parser.add_argument("--synthetic-pods", type=int, default=0)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dump-objects")
    parser.add_argument("--bookmark-interval", type=float, default=1.0)
    parser.add_argument("--watch-chunk", type=int, default=0)
    parser.add_argument("--max-history", type=int, default=0)
    parser.add_argument("--start-rv", type=int, default=1)
    parser.add_argument("--no-gzip", action="store_true")
    parser.add_argument("--keep-without-parent", action="store_true",
                        help="keep serving when the process that started the server exits")
    args = parser.parse_args()
    if not args.dump_objects and not args.plaintext and not (args.cert and args.key):
        parser.error("--cert and --key are required unless --plaintext")

    app = App(args)
    started = time.monotonic()
    for path in args.objects:
        preload(app, path)
    if args.synthetic_pods:
        Synthetic(app, args.synthetic_pods, args.nodes, args.seed).run()
    if args.objects or args.synthetic_pods:
        counts = ", ".join(f"{len(store.objects)} {store.label}" for store in app.stores.values())
        print(f"loaded {counts} in {time.monotonic() - started:.2f}s (resourceVersion {app.rv})", file=sys.stderr, flush=True)
    if args.dump_objects:
        dump(app, args.dump_objects)
        return
    asyncio.run(serve(app, args))
    sys.stdout.flush()
    os._exit(0)  # skip tearing down a large store object by object


if __name__ == "__main__":
    main()
