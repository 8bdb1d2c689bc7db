import KubeWatch

/// A certificates.k8s.io/v1 CertificateSigningRequest: the fields kube-state-metrics'
/// certificatesigningrequest families read.
public struct CertificateSigningRequest: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "certificatesigningrequests", group: "certificates.k8s.io", namespaced: false,
        identity: ["certificatesigningrequest", "signer_name"])

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public var identityValues: [String] { [metadata.name, spec.signerName] }

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var signerName = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "signerName": try reader.read(&signerName)
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var conditions: [Condition] = []
        /// Bytes of the issued certificate (the JSON carries them in base64).
        public var certificateLength = 0

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "conditions": try reader.read(&conditions, context)
            case "certificate": certificateLength = Self.decodedLength(base64: try reader.readString() ?? "")
            default: try reader.skipValue()
            }
        }

        /// What standard base64 decodes to, counted without decoding: six bits per
        /// character, padding and line breaks (which Go's decoder skips) aside.
        static func decodedLength(base64 text: String) -> Int {
            var characters = 0
            for byte in text.utf8 where byte != UInt8(ascii: "=") && byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") {
                characters += 1
            }
            return characters / 4 * 3 + characters % 4 * 3 / 4
        }
    }
}
