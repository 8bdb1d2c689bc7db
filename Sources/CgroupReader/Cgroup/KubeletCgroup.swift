/// What a cgroup in the kubelet's tree is, read from its path. The kubelet names them
/// (cgroupfs driver / systemd driver):
///
///     kubepods                     kubepods.slice
///     kubepods/burstable           kubepods.slice/kubepods-burstable.slice
///     …/pod<uid>                   …/kubepods-burstable-pod<uid_with_underscores>.slice
///     …/pod<uid>/<64 hex>          …/cri-containerd-<64 hex>.scope, crio-<64 hex>.scope, docker-<64 hex>.scope
///
/// Guaranteed pods sit directly under `kubepods`. Static pods have a 32-hex UID.
public enum KubeletCgroup: Sendable, Equatable {
    /// The hierarchy's root: the whole node.
    case root
    case kubepods
    case qos(String)
    case pod(uid: String)
    case container(id: String, podUID: String)

    /// Classifies the last component of a path, given what its parent is.
    static func classify(_ name: String, parent: KubeletCgroup) -> KubeletCgroup? {
        switch parent {
        case .root:
            return name == "kubepods" || name == "kubepods.slice" ? .kubepods : nil
        case .kubepods, .qos:
            if case .kubepods = parent, ["burstable", "besteffort", "kubepods-burstable.slice", "kubepods-besteffort.slice"].contains(name) {
                return .qos(name.contains("burstable") ? "burstable" : "besteffort")
            }
            return podUID(in: name).map { .pod(uid: $0) }
        case .pod(let uid):
            return containerID(in: name).map { .container(id: $0, podUID: uid) }
        case .container:
            return nil
        }
    }

    /// `pod<uid>` (cgroupfs) or `kubepods[-qos]-pod<uid_>.slice` (systemd), UID with dashes.
    /// Byte-wise: every cgroup of the node is classified every cycle, and Character
    /// operations (grapheme breaking, generic searches) cost more than the reads.
    static func podUID(in name: String) -> String? {
        var rest = Substring(name).utf8
        if rest.hasSuffix(".slice") {
            rest = rest.dropLast(6)
            guard let marker = rest.indexAfter("-pod") else { return nil }
            rest = rest[marker...]
        } else {
            guard rest.hasPrefix("pod") else { return nil }
            rest = rest.dropFirst(3)
        }
        guard isPodUID(rest) else { return nil }
        return String(decoding: rest.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
    }

    /// The 64-hex container ID of a runtime's cgroup, nil for anything else (CRI-O's
    /// `crio-conmon-*` monitor, systemd `.mount` units, nested helpers).
    static func containerID(in name: String) -> String? {
        var rest = Substring(name).utf8
        if rest.hasSuffix(".scope") { rest = rest.dropLast(6) }
        for prefix in ["cri-containerd-", "crio-", "docker-"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.utf8.count)
            break
        }
        guard rest.count == 64, rest.allSatisfy(\.isLowercaseHex) else { return nil }
        return String(Substring(rest))
    }

    /// 8-4-4-4-12 hex with dashes (underscores in systemd unit names), or 32 hex (static pods).
    private static func isPodUID(_ bytes: Substring.UTF8View) -> Bool {
        if bytes.count == 32 { return bytes.allSatisfy(\.isLowercaseHex) }
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") else { return false }
            } else if !byte.isLowercaseHex {
                return false
            }
        }
        return true
    }
}

extension Substring.UTF8View {
    fileprivate func hasPrefix(_ prefix: String) -> Bool {
        starts(with: prefix.utf8)
    }

    fileprivate func hasSuffix(_ suffix: String) -> Bool {
        count >= suffix.utf8.count && self[index(endIndex, offsetBy: -suffix.utf8.count)...].elementsEqual(suffix.utf8)
    }

    /// Where the first occurrence of `marker` ends.
    fileprivate func indexAfter(_ marker: String) -> Index? {
        let pattern = Array(marker.utf8)
        var start = startIndex
        while start != endIndex {
            if self[start...].starts(with: pattern) { return index(start, offsetBy: pattern.count) }
            start = index(after: start)
        }
        return nil
    }
}

extension UInt8 {
    var isLowercaseHex: Bool {
        (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
    }
}
