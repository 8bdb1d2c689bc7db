import COTLP
import CProtobufC
import Foundation
import Testing
import TestSupport

/// The schema in proto/ against the official opentelemetry-proto package, and the
/// committed protobuf-c code against the schema.
struct ProtoSchemaTests {
    @Test func committedCodeMatchesTheProtoFiles() throws {
        _ = try Command.which("protoc-c", installHint: "apt-get install protobuf-c-compiler (scripts/test does)")
        let result = try Command.run("/bin/bash", [Repository.root.appendingPathComponent("proto/generate.sh").path, "--check"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func everyFieldMatchesTheOfficialSchema() throws {
        let protoc = try Command.which("protoc-c", installHint: "apt-get install protobuf-c-compiler (scripts/test does)")
        let python = try Repository.python()
        let scratch = try TemporaryDirectory()
        let descriptorSet = scratch.url.appendingPathComponent("telegen.pb").path
        let protoRoot = Repository.root.appendingPathComponent("proto").path
        let files = ["common/v1/common", "resource/v1/resource", "metrics/v1/metrics", "logs/v1/logs",
                     "collector/metrics/v1/metrics_service", "collector/logs/v1/logs_service"]
            .map { "opentelemetry/proto/\($0).proto" }
            + ["google/protobuf/any.proto", "google/protobuf/duration.proto", "google/rpc/status.proto", "google/rpc/error_details.proto"]
        let generated = try Command.run(protoc, ["-I\(protoRoot)", "--include_imports", "--descriptor_set_out=\(descriptorSet)"] + files)
        #expect(generated.status == 0, "\(generated.stderr)")
        let compared = try Command.run(python, [Repository.root.appendingPathComponent("Tests/Python/compare_descriptors.py").path, descriptorSet])
        #expect(compared.status == 0, "differences from the official schema:\n\(compared.stdout)\(compared.stderr)")
        #expect(compared.stderr.contains("checked"), "\(compared.stderr)")
    }

    /// The one-member oneof that replaces `optional` keeps a zero sum on the wire:
    /// Google's runtime must see `sum` present (as 0), `min` absent, `max` present.
    @Test func optionalFieldsKeepPresenceOnTheWire() throws {
        var point = Opentelemetry__Proto__Metrics__V1__HistogramDataPoint()
        opentelemetry__proto__metrics__v1__histogram_data_point__init(&point)
        point.count = 3
        point._sum_case = OPENTELEMETRY__PROTO__METRICS__V1__HISTOGRAM_DATA_POINT___SUM_SUM
        point.sum = 0
        point._max_case = OPENTELEMETRY__PROTO__METRICS__V1__HISTOGRAM_DATA_POINT___MAX_MAX
        point.max = 5
        let size = opentelemetry__proto__metrics__v1__histogram_data_point__get_packed_size(&point)
        var bytes = [UInt8](repeating: 0, count: size)
        let written = bytes.withUnsafeMutableBufferPointer {
            opentelemetry__proto__metrics__v1__histogram_data_point__pack(&point, $0.baseAddress)
        }
        #expect(written == size)

        let decoded = try Command.run(try Repository.python(),
                                      [Repository.root.appendingPathComponent("Tests/Python/decode_histogram_point.py").path],
                                      input: bytes)
        #expect(decoded.status == 0, "\(decoded.stderr)")
        #expect(decoded.stdout == "sum=0.0\nmin=absent\nmax=5.0\ncount=3\n")
    }
}
