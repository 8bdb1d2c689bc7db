import KubeWatch
import TelemetryModel

/// The rules kube-state-metrics' kinds share (its `utils.go`, and the families every
/// generator file repeats): creation and deletion times, labels and annotations
/// behind their allowlists, owners, metadata versions, conditions and state sets.
extension Family where Object: KubeResource {
    /// `*_created`: `metadata.creationTimestamp` in Unix seconds; no sample when unset
    /// (or Go's zero time, which is how Go writes unset).
    public static func created(_ name: String, _ help: String = "Unix creation timestamp",
                               _ stability: Stability = .stable) -> Family {
        .gauge(name, help, stability) { object in KubeStateRules.setSeconds(object.metadata.creationTimestamp) }
    }

    /// `*_deletion_timestamp`: only while the object is being deleted.
    public static func deletionTimestamp(_ name: String, _ help: String = "Unix deletion timestamp",
                                         _ stability: Stability = .alpha) -> Family {
        .gauge(name, help, stability) { object in KubeStateRules.setSeconds(object.metadata.deletionTimestamp) }
    }

    /// `*_labels`: the allow-listed labels as `label_<key>`; no sample at all unless
    /// the kind is allow-listed, one with the identity labels only when none matches.
    public static func labels(_ name: String, _ help: String = "Kubernetes labels converted to Prometheus labels.",
                              _ stability: Stability = .stable) -> Family {
        Family(name, help, stability, dynamic: true) { object, out in
            guard out.labelsAllowlisted else { return }
            let (names, values) = PrometheusLabelKeys.names(for: object.metadata.labels, prefix: "label")
            out.add(names: names, values: values, 1)
        }
    }

    /// `*_annotations`, as `labels` for annotations.
    public static func annotations(_ name: String, _ help: String = "Kubernetes annotations converted to Prometheus labels.",
                                   _ stability: Stability = .alpha) -> Family {
        Family(name, help, stability, dynamic: true) { object, out in
            guard out.annotationsAllowlisted else { return }
            let (names, values) = PrometheusLabelKeys.names(for: object.metadata.annotations, prefix: "annotation")
            out.add(names: names, values: values, 1)
        }
    }

    /// `*_owner`: one sample per owner reference, or one with empty owner labels when
    /// there is none; `owner_is_controller` is "false" also when the field is missing.
    public static func owner(_ name: String, _ help: String, _ stability: Stability = .alpha,
                             controllerLabel: Bool = true) -> Family {
        let labels = controllerLabel ? ["owner_kind", "owner_name", "owner_is_controller"] : ["owner_kind", "owner_name"]
        return Family(name, help, stability, labels: labels) { object, out in
            let owners = object.metadata.ownerReferences
            guard !owners.isEmpty else { return out.add(controllerLabel ? ["", "", ""] : ["", ""], 1) }
            for owner in owners {
                out.add(controllerLabel ? [owner.kind, owner.name, owner.controller == true ? "true" : "false"] : [owner.kind, owner.name], 1)
            }
        }
    }

    /// `*_metadata_resource_version`: the resourceVersion as a number; no sample when
    /// it is not one.
    public static func resourceVersion(_ name: String, _ help: String, _ stability: Stability = .alpha) -> Family {
        .gauge(name, help, stability) { object in KubeStateRules.float(object.metadata.resourceVersion) }
    }

    /// `*_metadata_generation`.
    public static func generation(_ name: String, _ help: String, _ stability: Stability = .stable) -> Family {
        .gauge(name, help, stability) { object in Double(object.metadata.generation) }
    }
}

/// Value rules several kinds' families share.
public enum KubeStateRules {
    /// Three samples, `true`, `false` and `unknown` after `values`, 1 on the
    /// condition's status; all 0 for a status that is none of those.
    public static func condition(_ status: String, after values: [String] = [], into out: inout SampleWriter) {
        out.add(values, then: "true", status == "True" ? 1 : 0)
        out.add(values, then: "false", status == "False" ? 1 : 0)
        out.add(values, then: "unknown", status == "Unknown" ? 1 : 0)
    }

    /// One sample per candidate, 1 on the current one; nothing when `current` is empty.
    public static func stateSet(_ current: String, _ candidates: [String], into out: inout SampleWriter) {
        guard !current.isEmpty else { return }
        for candidate in candidates { out.add(candidate, current == candidate ? 1 : 0) }
    }

    public static func bool(_ value: Bool) -> String { value ? "true" : "false" }

    /// Go's `strconv.ParseFloat` for the plain decimal text resource versions are.
    public static func float(_ text: String) -> Double? {
        guard let first = text.utf8.first, first != UInt8(ascii: " "), text.utf8.last != UInt8(ascii: " ") else { return nil }
        return Double(text)
    }

    /// A timestamp that is set (Go's `!t.IsZero()`) as a sample value; nil otherwise.
    public static func setSeconds(_ time: Timestamp?) -> Double? {
        guard let time, time != .goZero else { return nil }
        return Double(time.seconds)
    }

    /// A timestamp as a sample value; Go's zero time for one that is not set, where
    /// kube-state-metrics reads the field regardless.
    public static func seconds(_ time: Timestamp?) -> Double {
        Double((time ?? .goZero).seconds)
    }
}
