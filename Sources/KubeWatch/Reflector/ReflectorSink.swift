/// Where a reflector delivers what the API tells it. The kube-state stores keep the
/// objects' samples; the event stream keeps only what it emitted. The reflector owns
/// the list/watch protocol and knows nothing of the objects beyond their metadata.
///
/// Requirements: `apply` decodes the object and returns its UID and resourceVersion,
/// or throws when it does not decode (the reflector counts it, reads the metadata
/// itself and, for a deletion or an update, calls `remove(uid:)` so that no stale
/// state outlives it); calls arrive one at a time from one reflector; a relist
/// (`beginRelist` … `endRelist`) delivers every current object as `.listed`.
/// `applyListed(prefixOf:)` may decode a listed object in place, from the bytes that
/// begin with it, and return how many bytes it took (a listed object's version is not
/// needed, as `apply`'s is not for one); nil means nothing was applied, and the
/// reflector then finds the object's end itself and calls `apply` (the default).
public protocol ReflectorSink: Sendable {
    func apply(_ event: WatchEvent, object: UnsafeBufferPointer<UInt8>) throws -> ObjectVersion
    func applyListed(prefixOf bytes: UnsafeBufferPointer<UInt8>) -> Int?
    func remove(uid: String)
    func beginRelist()
    /// The relist is complete: whatever it did not deliver was deleted meanwhile.
    /// Returns how many objects that removed.
    func endRelist() -> Int
    /// A server-side `Table` named its columns; the rows that follow are delivered to
    /// `apply` as `{"cells": [...], "object": {...}}`.
    func tableColumns(_ names: [String])
    /// Everything up to this version has been delivered: a bookmark, a completed list's
    /// version, or the version a `.now` start begins from.
    func progressed(to resourceVersion: String)
}

extension ReflectorSink {
    public func applyListed(prefixOf bytes: UnsafeBufferPointer<UInt8>) -> Int? { nil }
    public func tableColumns(_ names: [String]) {}
    public func progressed(to resourceVersion: String) {}
}

/// How an object reached the reflector.
public enum WatchEvent: Sendable, Equatable {
    /// An item of a LIST page.
    case listed
    case added
    case modified
    case deleted
}

/// The identity and version of an object the sink applied.
public struct ObjectVersion: Sendable, Equatable {
    public var uid: String
    public var resourceVersion: String

    public init(uid: String, resourceVersion: String) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}
