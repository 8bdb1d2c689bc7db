/// Where the outcome of one exchange goes: a whole response, or its parts as they arrive.
enum ResponseSink: Sendable {
    case whole(CheckedContinuation<Result<HTTP2Response, HTTP2Error>, Never>)
    case parts(AsyncThrowingStream<HTTP2ResponsePart, any Error>.Continuation)
}

/// A request handed to the I/O thread, with what it needs to finish exactly once.
struct Submission: Sendable {
    let id: UInt64
    let request: HTTP2Request
    let deadline: ContinuousClock.Instant
    let sink: ResponseSink
    /// How often the server refused it unprocessed (GOAWAY, REFUSED_STREAM); it is
    /// re-sent on a new connection a few times before giving up.
    var refusals = 0

    func fail(_ error: HTTP2Error) {
        switch sink {
        case .whole(let continuation): continuation.resume(returning: .failure(error))
        case .parts(let continuation): continuation.finish(throwing: error)
        }
    }
}
