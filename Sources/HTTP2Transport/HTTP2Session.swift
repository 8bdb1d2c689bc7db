import CNGHTTP2

/// One exchange on a connection, as nghttp2 drives it.
final class HTTP2Stream {
    var submission: Submission
    var requestOffset = 0
    var status: Int?
    var headers: [(name: String, value: String)] = []
    var trailers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// A streamed response's DATA received and not yet handed to its reader: the
    /// frames of one read of the connection go over as one part (see
    /// `HTTP2Session.flushBodies`).
    var pendingBody: [UInt8] = []
    var receivedBytes = 0
    /// DATA bytes handed to a streamed response's reader that it has not yet taken:
    /// the server's window stays closed by this much.
    var unconsumed = 0
    /// When the stream was opened or last received a frame: the request's idle timeout
    /// counts from here.
    var lastReceivedAt = ContinuousClock.now
    /// The final (non-1xx) response head has arrived: a later HEADERS block is trailers.
    var headComplete = false
    /// The exchange already ended from our side (timeout, cancellation, an oversized
    /// response); nghttp2's close callback then has nothing left to report.
    var finished = false

    init(submission: Submission) {
        self.submission = submission
    }

    /// When the exchange times out unless something arrives: its deadline, or sooner
    /// its idle timeout.
    var nextDeadline: ContinuousClock.Instant {
        guard let idle = submission.request.idleTimeout else { return submission.deadline }
        return min(submission.deadline, lastReceivedAt + idle)
    }
}

/// An nghttp2 client session: frames in, frames out, callbacks into this object.
///
/// nghttp2 calls back synchronously inside `receive` and `produceOutput`, on the
/// thread that calls them; the session and its streams never leave the client's I/O
/// thread, so they need no locking. `self` is nghttp2's user data, unretained: the
/// session is deleted in `deinit`, so it never outlives `self`.
final class HTTP2Session {
    private var session: OpaquePointer?
    private(set) var streams: [Int32: HTTP2Stream] = [:]
    /// Set when the server sent GOAWAY: no new streams on this connection.
    private(set) var goAway: (lastStreamID: Int32, errorCode: UInt32)?
    /// Submissions the server refused unprocessed; the client re-sends them elsewhere.
    var refused: [Submission] = []
    /// DATA bytes done with, per stream, to be returned to the server's windows once
    /// nghttp2 is out of its callbacks.
    private var consumption: [(streamID: Int32, bytes: Int)] = []
    /// Streams that received DATA for their reader since the last `flushBodies`.
    private var streamsWithPendingBody: [Int32] = []
    /// The most DATA of a streamed response handed over as one part: pending DATA
    /// goes to the reader before it would pass this, even in the middle of a read, so
    /// a part and what a reader buffers of it stay bounded whatever a read brings.
    /// 256 KiB, not 64: a LIST item that straddles two parts is scanned and copied
    /// before it is decoded, and at 64 KiB a quarter of 7 KB pods did (docs/benchmarks.md);
    /// the stream's window (1 MiB) bounds what waits for the reader either way.
    static let bodyBatch = 256 << 10

    init() throws(HTTP2Error) {
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, context in
            let session = Unmanaged<HTTP2Session>.fromOpaque(context!).takeUnretainedValue()
            session.onHeader(frame: frame!, name: UnsafeBufferPointer(start: name, count: nameLength),
                             value: UnsafeBufferPointer(start: value, count: valueLength))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, context in
            Unmanaged<HTTP2Session>.fromOpaque(context!).takeUnretainedValue().onFrame(frame!)
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, context in
            Unmanaged<HTTP2Session>.fromOpaque(context!).takeUnretainedValue()
                .onData(streamID: streamID, UnsafeBufferPointer(start: data, count: length))
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, context in
            Unmanaged<HTTP2Session>.fromOpaque(context!).takeUnretainedValue().onClose(streamID: streamID, errorCode: errorCode)
            return 0
        }
        // Windows are reopened as DATA is consumed, not as it arrives: a streamed response
        // is read at its reader's pace, with at most a window of it in memory.
        var options: OpaquePointer?
        nghttp2_option_new(&options)
        defer { nghttp2_option_del(options) }
        nghttp2_option_set_no_auto_window_update(options, 1)
        guard nghttp2_session_client_new2(&session, callbacks, Unmanaged.passUnretained(self).toOpaque(), options) == 0 else {
            throw .protocolViolation("nghttp2_session_client_new failed")
        }
        // No server push; 1 MiB per stream and 16 MiB per connection before the server
        // must wait for a window update.
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: 1 << 20),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: 64 << 10),
        ]
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, 16 << 20)
    }

    deinit {
        nghttp2_session_del(session)
    }

    /// Starts an exchange; nil when the session cannot take it (it is going away).
    func submit(_ submission: Submission, authority: String, scheme: String, pathPrefix: String) -> Bool {
        guard goAway == nil else { return false }
        let stream = HTTP2Stream(submission: submission)
        let request = submission.request
        var fields: [(String, String)] = [
            (":method", request.method), (":scheme", scheme), (":path", pathPrefix + request.path), (":authority", authority),
        ]
        fields += request.headers.map { ($0.name.lowercased(), $0.value) }
        let streamID: Int32 = withNameValuePairs(fields) { pairs in
            var provider = nghttp2_data_provider()
            provider.read_callback = { session, streamID, buffer, length, flags, _, _ in
                guard let pointer = nghttp2_session_get_stream_user_data(session, streamID) else {
                    return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue)
                }
                let stream = Unmanaged<HTTP2Stream>.fromOpaque(pointer).takeUnretainedValue()
                let body = stream.submission.request.body
                let count = min(length, body.count - stream.requestOffset)
                body.withUnsafeBytes { raw in
                    buffer!.update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + stream.requestOffset, count: count)
                }
                stream.requestOffset += count
                if stream.requestOffset == body.count { flags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue }
                return count
            }
            let context = Unmanaged.passUnretained(stream).toOpaque()
            if request.body.isEmpty && request.method == "GET" {
                return nghttp2_submit_request(session, nil, pairs.baseAddress, pairs.count, nil, context)
            }
            return nghttp2_submit_request(session, nil, pairs.baseAddress, pairs.count, &provider, context)
        }
        guard streamID > 0 else { return false }
        streams[streamID] = stream
        return true
    }

    /// Abandons an exchange: resets the stream and reports `error` to its caller.
    func cancel(streamID: Int32, with error: HTTP2Error) {
        guard let stream = streams[streamID], !stream.finished else { return }
        stream.finished = true
        stream.submission.fail(error)
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, NGHTTP2_CANCEL.rawValue)
    }

    /// Queues a PING; the peer must answer it (and nghttp2 answers the peer's own).
    func ping() {
        nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
    }

    /// Streams whose caller still waits for something.
    var hasOpenStreams: Bool { streams.values.contains { !$0.finished } }

    /// Feeds bytes read from the connection.
    func receive(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) {
        let result = nghttp2_session_mem_recv(session, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        returnConsumption()
        if result < 0 { throw .protocolViolation(String(cString: nghttp2_strerror(Int32(result)))) }
    }

    /// A streamed response's reader took `bytes` of what it was handed.
    func consumed(streamID: Int32, bytes: Int) {
        guard let stream = streams[streamID] else { return }  // closed: returned then
        let taken = min(bytes, stream.unconsumed)
        stream.unconsumed -= taken
        consumption.append((streamID, taken))
        returnConsumption()
    }

    /// Tells nghttp2 what was consumed; it sends WINDOW_UPDATEs as windows half empty.
    private func returnConsumption() {
        for (streamID, bytes) in consumption where bytes > 0 {
            // A stream nghttp2 has closed counts towards the connection's window only.
            nghttp2_session_consume(session, streamID, bytes)
        }
        consumption.removeAll(keepingCapacity: true)
    }

    /// Appends the frames nghttp2 wants to send.
    func produceOutput(into output: inout [UInt8]) throws(HTTP2Error) {
        while true {
            var data: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &data)
            if count < 0 { throw .protocolViolation(String(cString: nghttp2_strerror(Int32(count)))) }
            if count == 0 { return }
            // The pointer is valid only until the next call: copy now.
            output.append(contentsOf: UnsafeBufferPointer(start: data, count: count))
            if output.count > 1 << 20 { return }  // enough for one write burst
        }
    }

    /// Neither side has anything left to say (after GOAWAY, once streams are done).
    var isFinished: Bool {
        nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0
    }

    // MARK: Callbacks

    private func onHeader(frame: UnsafePointer<nghttp2_frame>, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        guard frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
              let stream = streams[frame.pointee.hd.stream_id] else { return }
        stream.lastReceivedAt = .now
        let field = (name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        // nghttp2 files the HEADERS after a 1xx under NGHTTP2_HCAT_HEADERS, like trailers:
        // until a final head arrived, any HEADERS block is a response head.
        if !stream.headComplete {
            if field.name == ":status" {
                stream.status = Int(field.value)
            } else {
                stream.headers.append(field)
            }
        } else {
            stream.trailers.append(field)
        }
    }

    private func onFrame(_ frame: UnsafePointer<nghttp2_frame>) {
        let header = frame.pointee.hd
        if header.type == UInt8(NGHTTP2_GOAWAY.rawValue) {
            goAway = (frame.pointee.goaway.last_stream_id, frame.pointee.goaway.error_code)
            return
        }
        guard header.type == UInt8(NGHTTP2_HEADERS.rawValue), let stream = streams[header.stream_id], !stream.finished else { return }
        if !stream.headComplete {
            // 1xx responses come before the real one; forget them.
            if let status = stream.status, (100..<200).contains(status) {
                stream.status = nil
                stream.headers.removeAll()
                return
            }
            stream.headComplete = true
            if case .parts(let continuation) = stream.submission.sink {
                continuation.yield(.head(status: stream.status ?? 0, headers: stream.headers))
            }
        } else if case .parts(let continuation) = stream.submission.sink {
            flushBody(of: stream)
            continuation.yield(.trailers(stream.trailers))
        }
    }

    private func onData(streamID: Int32, _ data: UnsafeBufferPointer<UInt8>) {
        guard let stream = streams[streamID], !stream.finished else {
            // Nobody reads it: done with at once.
            consumption.append((streamID, data.count))
            return
        }
        stream.lastReceivedAt = .now
        stream.receivedBytes += data.count
        switch stream.submission.sink {
        case .whole:
            // Bounded by the request's maximum instead.
            consumption.append((streamID, data.count))
            let limit = stream.submission.request.maximumResponseBytes
            if stream.receivedBytes > limit {
                cancel(streamID: streamID, with: .responseTooLarge(limit: limit))
                return
            }
            stream.body.append(contentsOf: data)
        case .parts:
            // Each part handed over wakes the reader's task: a part per DATA frame (16 KiB
            // at most) made those wake-ups a tenth of reading a large list.
            stream.unconsumed += data.count
            if stream.pendingBody.count + data.count > Self.bodyBatch { flushBody(of: stream) }
            if stream.pendingBody.isEmpty { streamsWithPendingBody.append(streamID) }
            // Room for a whole batch at once: grown frame by frame, a part was copied
            // again at every doubling, about once more in all. `flushBody` hands a part
            // that fills less than half of it over as an exact copy instead. Nothing is
            // kept between reads (the session flushes after each), so an idle watch
            // holds no buffer.
            if stream.pendingBody.capacity == 0 { stream.pendingBody.reserveCapacity(Self.bodyBatch) }
            stream.pendingBody.append(contentsOf: data)
        }
    }

    /// Hands each streamed response the DATA it received since the last call; the
    /// connection calls it once it has read everything available.
    func flushBodies() {
        for streamID in streamsWithPendingBody {
            if let stream = streams[streamID] { flushBody(of: stream) }
        }
        streamsWithPendingBody.removeAll(keepingCapacity: true)
    }

    /// Hands `stream`'s pending DATA to its reader, before anything that must follow it
    /// (trailers, the end).
    ///
    /// A part that fills less than half of its buffer goes over as an exact copy:
    /// parts wait for their reader up to a window's worth, and each must hold about
    /// what it carries, however small.
    private func flushBody(of stream: HTTP2Stream) {
        guard !stream.pendingBody.isEmpty, case .parts(let continuation) = stream.submission.sink else { return }
        let part = stream.pendingBody
        stream.pendingBody = []
        // (`Array(part)` would share the buffer; a copy through its bytes is exact.)
        continuation.yield(.body(part.count * 2 < part.capacity ? part.withUnsafeBufferPointer { Array($0) } : part))
    }

    private func onClose(streamID: Int32, errorCode: UInt32) {
        guard let stream = streams.removeValue(forKey: streamID) else { return }
        // What its reader has not taken yet still holds the connection's window.
        consumption.append((streamID, stream.unconsumed))
        stream.unconsumed = 0
        guard !stream.finished else { return }
        stream.finished = true
        // Refused unprocessed: no response began, and the server says so (REFUSED_STREAM,
        // which nghttp2 also uses for streams above a GOAWAY's last stream id).
        if errorCode == NGHTTP2_REFUSED_STREAM.rawValue && stream.status == nil {
            refused.append(stream.submission)
            return
        }
        if errorCode != 0 && stream.status == nil {
            stream.submission.fail(.streamReset(code: errorCode))
            return
        }
        guard let status = stream.status else {
            stream.submission.fail(.protocolViolation("stream closed without a response"))
            return
        }
        switch stream.submission.sink {
        case .whole(let continuation):
            if errorCode != 0 && stream.trailers.isEmpty {
                // Reset mid-response: what arrived may be truncated.
                continuation.resume(returning: .failure(.streamReset(code: errorCode)))
            } else {
                continuation.resume(returning: .success(HTTP2Response(status: status, headers: stream.headers, body: stream.body, trailers: stream.trailers)))
            }
        case .parts(let continuation):
            flushBody(of: stream)
            if errorCode != 0 {
                continuation.finish(throwing: HTTP2Error.streamReset(code: errorCode))
            } else {
                continuation.finish()
            }
        }
    }

    /// Fails every open exchange, for when the connection under the session breaks.
    func failAll(with error: HTTP2Error) {
        for stream in streams.values where !stream.finished {
            stream.finished = true
            stream.submission.fail(error)
        }
        streams.removeAll()
    }
}

/// Calls `body` with nghttp2 name/value structs for `fields`. nghttp2 copies them
/// during the call, so the temporary C strings are freed right after.
private func withNameValuePairs<Result>(_ fields: [(String, String)], _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> Result) -> Result {
    var storage: [UnsafeMutablePointer<UInt8>] = []
    defer { storage.forEach { $0.deallocate() } }
    func copy(_ text: String) -> (UnsafeMutablePointer<UInt8>, Int) {
        let bytes = Array(text.utf8)
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        pointer.initialize(from: bytes, count: bytes.count)
        storage.append(pointer)
        return (pointer, bytes.count)
    }
    var pairs = fields.map { field -> nghttp2_nv in
        let (name, nameLength) = copy(field.0)
        let (value, valueLength) = copy(field.1)
        return nghttp2_nv(name: name, value: value, namelen: nameLength, valuelen: valueLength, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
    }
    return pairs.withUnsafeMutableBufferPointer { body($0) }
}
