import KubeWatch
import TelemetryModel

/// One kind's records fed straight with API JSON: the decoding, rules, records and
/// rendering of a watch, without an API server (benchmarks, tools).
public final class ObjectRecords: Sendable {
    private let sink: any ReflectorSink
    private let stream: @Sendable () -> any FamilyStream
    private let counter: @Sendable () -> Int

    /// Nil for a name the registry does not know.
    public init?(resource name: String, options: ResourceOptions = ResourceOptions()) {
        guard let resource = KubeResources.all.first(where: { $0.descriptor.name == name }) else { return nil }
        (sink, stream, counter) = Self.make(resource, options: options)
    }

    private static func make<Resource: KubeResource>(_ resource: Resource.Type, options: ResourceOptions)
        -> (any ReflectorSink, @Sendable () -> any FamilyStream, @Sendable () -> Int) {
        let layout = ResourceLayout<Resource>(options: options)
        let sink = ResourceSink(layout: layout, records: true, observer: nil, shards: nil)
        return (sink, { ResourceStream(layout: layout, stores: [sink.store], active: sink.store.count > 0) }, { sink.store.count })
    }

    /// Decodes one object (as a LIST item) and stores its samples.
    public func apply(_ json: UnsafeBufferPointer<UInt8>) throws {
        _ = try sink.apply(.listed, object: json)
    }

    public func makeStream() -> any FamilyStream { stream() }

    public var count: Int { counter() }
}
