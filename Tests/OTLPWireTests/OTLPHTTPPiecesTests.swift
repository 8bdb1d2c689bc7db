@testable import OTLPWire
import Testing

/// Unit checks of how OTLP/HTTP responses and gRPC results become export outcomes.
struct OTLPHTTPPiecesTests {
    /// A google.rpc.Status written by hand: field 1 code (varint), field 2 message.
    static func rpcStatus(code: UInt8, message: String) -> [UInt8] {
        let text = Array(message.utf8)
        return [0x08, code, 0x12, UInt8(text.count)] + text
    }

    static func response(_ status: Int, _ headers: [(String, String)] = [], body: [UInt8] = []) -> OTLPHTTPResponse {
        OTLPHTTPResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: body)
    }

    @Test func statusesAreClassifiedAsTheOTLPSpecificationSays() {
        for status in [200, 202, 204] {
            #expect(Self.response(status).attempt(nowUnixSeconds: 0) == ExportAttempt(outcome: .success(response: []), status: "\(status)"))
        }
        for status in [429, 502, 503, 504] {
            #expect(Self.response(status).attempt(nowUnixSeconds: 0).outcome == .retryable(delay: nil), "\(status)")
        }
        for status in [301, 400, 401, 403, 404, 405, 413, 415, 500, 501, 505, 599, 999] {
            let attempt = Self.response(status).attempt(nowUnixSeconds: 0)
            #expect(attempt.outcome == .permanent && attempt.status == "\(status)" && attempt.reason == "HTTP \(status)", "\(status)")
        }
    }

    @Test func retryAfterIsHonouredAndAZeroOrPastOneLeftToTheBackoff() {
        let now: Int64 = 784_111_777  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(Self.response(503, [("retry-after", "7")]).attempt(nowUnixSeconds: now).outcome == .retryable(delay: .seconds(7)))
        #expect(Self.response(429, [("retry-after", "Sun, 06 Nov 1994 08:50:07 GMT")]).attempt(nowUnixSeconds: now).outcome
            == .retryable(delay: .seconds(30)))
        #expect(Self.response(503, [("retry-after", "0")]).attempt(nowUnixSeconds: now).outcome == .retryable(delay: nil))
        #expect(Self.response(503, [("retry-after", "Sun, 06 Nov 1994 08:00:00 GMT")]).attempt(nowUnixSeconds: now).outcome == .retryable(delay: nil))
        #expect(Self.response(503, [("retry-after", "soon")]).attempt(nowUnixSeconds: now).outcome == .retryable(delay: nil))
        // Retry-After on a status that is not retried changes nothing.
        #expect(Self.response(400, [("retry-after", "5")]).attempt(nowUnixSeconds: now).outcome == .permanent)
    }

    @Test func theErrorMessageComesFromAGoogleRPCStatusBodyOrAShortTextOne() throws {
        let protobuf = Self.response(400, [("content-type", "application/x-protobuf")], body: Self.rpcStatus(code: 3, message: "bad point"))
        #expect(protobuf.attempt(nowUnixSeconds: 0).reason == "HTTP 400: bad point")
        let gzipped = Self.response(400, [("content-type", "application/x-protobuf"), ("content-encoding", "gzip")],
                                    body: try Gzip.compress(Self.rpcStatus(code: 3, message: "zipped")))
        #expect(gzipped.attempt(nowUnixSeconds: 0).reason == "HTTP 400: zipped")
        let text = Self.response(502, [("content-type", "text/html")], body: Array("<h1>Bad\u{1}Gateway</h1>".utf8))
        #expect(text.attempt(nowUnixSeconds: 0).reason == "HTTP 502: <h1>Bad Gateway</h1>")
        // Not a Status after all, or a type that says nothing: the status alone.
        #expect(Self.response(400, [("content-type", "application/x-protobuf")], body: [0xFF, 0xFF, 0xFF]).attempt(nowUnixSeconds: 0).reason == "HTTP 400")
        #expect(Self.response(400, [], body: [1, 2, 3]).attempt(nowUnixSeconds: 0).reason == "HTTP 400")
    }

    @Test func aSuccessBodyIsHandedOnDecompressed() throws {
        let body: [UInt8] = [0x0A, 0x02, 0x08, 0x03]  // partial_success { rejected_data_points: 3 }
        #expect(Self.response(200, [], body: body).attempt(nowUnixSeconds: 0).outcome == .success(response: body))
        #expect(Self.response(200, [("content-encoding", "gzip")], body: try Gzip.compress(body)).attempt(nowUnixSeconds: 0).outcome
            == .success(response: body))
        // An encoding Telegen cannot read is a success without a readable response.
        #expect(Self.response(200, [("content-encoding", "br")], body: body).attempt(nowUnixSeconds: 0).outcome == .success(response: []))
    }

    @Test func retryAfterReadsSecondsAndAllThreeHTTPDateForms() {
        let now: Int64 = 784_111_777
        #expect(RetryAfter.delay("120", nowUnixSeconds: now) == .seconds(120))
        #expect(RetryAfter.delay(" 5\t", nowUnixSeconds: now) == .seconds(5))
        #expect(RetryAfter.delay("0", nowUnixSeconds: now) == .zero)
        #expect(RetryAfter.delay("99999999999999999999999999", nowUnixSeconds: now) == .seconds(RetryAfter.maximumSeconds))
        for bad in ["", " ", "-5", "+5", "1.5", "5s", "Sun, 06 Nov 1994", "Sun, 32 Nov 1994 08:49:37 GMT",
                    "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1969 08:49:37 GMT",
                    "06 Nov 1994 08:49:37 GMT 06", "Sun, 06 Nov 1994 8:49:37 GMT"] {
            #expect(RetryAfter.delay(bad, nowUnixSeconds: now) == nil, "\(bad)")
        }
        for form in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            #expect(RetryAfter.unixSeconds(ofHTTPDate: form) == 784_111_777, "\(form)")
        }
        #expect(RetryAfter.unixSeconds(ofHTTPDate: "Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.unixSeconds(ofHTTPDate: "Tue, 29 Feb 2028 23:59:59 GMT") == 1_835_481_599)
        #expect(RetryAfter.unixSeconds(ofHTTPDate: "Fri, 31 Dec 9999 23:59:59 GMT") == 253_402_300_799)
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:47 GMT", nowUnixSeconds: now) == .seconds(10))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:27 GMT", nowUnixSeconds: now) == .zero)
        #expect(RetryAfter.delay("Fri, 31 Dec 9999 23:59:59 GMT", nowUnixSeconds: .min) == .seconds(RetryAfter.maximumSeconds))
    }

    /// The header comes from the network: no value may trap.
    @Test func retryAfterNeverTrapsOnArbitraryInput() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789 ,:-GMTSunNovDecFebabc\t+.\u{0}\u{FF}é99999999999")
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            _ = RetryAfter.delay(text, nowUnixSeconds: Int64.random(in: .min ... .max, using: &generator))
        }
    }

    @Test func grpcResultsKeepTheirRetryRules() {
        let ok = GRPCTransport.attempt(GRPCUnaryCall.Result(status: GRPCStatus(code: .ok), message: [1, 2]))
        #expect(ok == ExportAttempt(outcome: .success(response: [1, 2]), status: "OK"))
        let unavailable = GRPCTransport.attempt(GRPCUnaryCall.Result(status: GRPCStatus(code: .unavailable, message: "busy"), message: nil))
        #expect(unavailable.outcome == .retryable(delay: nil) && unavailable.status == "UNAVAILABLE")
        let throttled = GRPCTransport.attempt(GRPCUnaryCall.Result(status: GRPCStatus(code: .resourceExhausted, retryDelay: .seconds(2)), message: nil))
        #expect(throttled.outcome == .retryable(delay: .seconds(2)) && throttled.status == "RESOURCE_EXHAUSTED")
        let exhausted = GRPCTransport.attempt(GRPCUnaryCall.Result(status: GRPCStatus(code: .resourceExhausted), message: nil))
        #expect(exhausted.outcome == .permanent)
        for code in GRPCStatusCode.allCases where code != .ok {
            let attempt = GRPCTransport.attempt(GRPCUnaryCall.Result(status: GRPCStatus(code: code), message: nil))
            #expect((attempt.outcome != .permanent) == RetryPolicy.isRetryable(GRPCStatus(code: code)), "\(code)")
            #expect(attempt.status == "\(code)")
        }
    }
}
