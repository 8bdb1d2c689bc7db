extension String {
    /// Decodes bytes read from the kernel or the network as UTF-8, replacing every
    /// invalid sequence with U+FFFD. Mount points, device names and Kubernetes
    /// strings can hold arbitrary bytes; exposition and OTLP both require valid UTF-8,
    /// so every byte-to-text conversion in Telegen goes through here.
    public init<Bytes: Collection>(repairingUTF8 bytes: Bytes) where Bytes.Element == UInt8 {
        self = String(decoding: bytes, as: UTF8.self)
    }
}
