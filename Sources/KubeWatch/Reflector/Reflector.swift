import HTTP2Transport
import Logging
import Synchronization

/// Keeps one resource's objects current the way client-go's reflector does: a LIST
/// (from the watch cache in one response, or consistent in pages; either read item by
/// item as it arrives), then a WATCH from the list's
/// resourceVersion with bookmarks and a jittered timeout, resumed from the last
/// version seen after a timeout or a dropped connection. `410 Gone` relists and
/// reconciles; errors back off exponentially with jitter; `403` is logged, counted
/// and retried slowly without affecting other resources; `401` re-reads the token.
/// What the objects become is the sink's business.
///
/// Liveness: a watch that receives nothing (no event, no bookmark) for its
/// timeoutSeconds plus `watchMargin` is dead, whatever its connection's PINGs say: it
/// is reset, counted and resumed. A reflector that has heard nothing from the server
/// (a completed list, an event or bookmark, a watch the server ended) for `staleAfter`
/// is stale: logged once at warning, and at info when it is current again.
///
/// A stream of notifications rather than a store (events) starts elsewhere than with a
/// full list: from a checkpoint, or from "now" (`Start`).
public final class Reflector: Sendable {
    /// Where the first watch starts.
    public enum Start: Sendable, Equatable {
        /// A full list, then a watch from its version (a store's reflector).
        case list
        /// A watch from this version; a 410 falls back to a full list.
        case resume(resourceVersion: String)
        /// A one-item list only for its version (nothing delivered), then a watch from it.
        case now
    }

    public struct Configuration: Sendable {
        public var request: ListWatchRequest
        public var start = Start.list
        public var pageSize = 500
        /// Each watch asks the server to end it after a random time in [this, 2 × this).
        public var minimumWatchTimeout: Duration = .seconds(300)
        /// A watch that has received nothing for its timeoutSeconds plus this is dead
        /// (the server should have ended it, with a bookmark, at timeoutSeconds); one that
        /// keeps receiving but is not ended is given up at twice its timeoutSeconds plus this.
        public var watchMargin: Duration = .seconds(30)
        /// Heard nothing from the server for this long: stale (nil: four times
        /// `minimumWatchTimeout`, twice the longest watch, since a quiet resource on a server
        /// that sends no periodic bookmarks hears only when its watch ends).
        public var staleAfter: Duration?
        public var initialBackoff: Duration = .milliseconds(800)
        public var maximumBackoff: Duration = .seconds(30)
        /// A resource the server forbids (403) or does not serve (404) is asked again this often.
        public var forbiddenRetry: Duration = .seconds(60)
        public var pageTimeout: Duration = .seconds(60)
        public var userAgent = "telegen"
        /// A watch event (one line) or a LIST item larger than this fails the watch or
        /// the list, counted: the API server refuses objects over about 1.5 MiB (etcd's
        /// request limit), so 16 MiB is only ever reached by a broken or hostile peer,
        /// and never held whole. Lists are read item by item, so no other bound is needed.
        public var maximumObjectBytes = 16 << 20
        /// Of an error response, only this much is kept (its Status message); the rest
        /// is not read (the stream is reset).
        public var maximumErrorBodyBytes = 64 << 10

        public init(request: ListWatchRequest) {
            self.request = request
        }
    }

    /// What the reflector has done; read by the agent's self-metrics.
    public struct Statistics: Sendable, Equatable {
        public var listCalls = 0
        public var listPages = 0
        public var watchCalls = 0
        public var watchEvents = 0
        public var bookmarks = 0
        /// 410 Gone: the version was compacted away, a relist followed.
        public var expired = 0
        public var decodeErrors = 0
        public var forbidden = 0
        public var unauthorized = 0
        public var otherErrors = 0
        /// Objects the last relist found deleted while no watch was open.
        public var reconciledDeletions = 0
        public var synced = false
        /// Lists (first or relist) that completed: a caller that restarts the reflector
        /// can tell a list of this run from one of an earlier run.
        public var completedLists = 0
        public var resourceVersion = ""
        /// The last LIST or WATCH failed (403 included) and nothing has succeeded since.
        public var failing = false
        /// At least one LIST or WATCH has failed since start.
        public var everFailed = false
        /// LIST items and watch events over their size limit (the call failed).
        public var oversized = 0
        /// The most bytes of one unfinished LIST item or member, watch event or error
        /// body held while being read: bounded by the configuration's limits, not by the
        /// length of a list.
        public var largestBuffered = 0
        /// Watches that received nothing for their timeoutSeconds + margin (ended and resumed).
        public var deadWatches = 0
        /// A watch is open: its 200 head arrived and it has not ended.
        public var watching = false
        /// Since the reflector last heard from the server: a completed list, a watch event
        /// or bookmark (any bytes of a watch), or a watch the server ended. Since start when
        /// it never has. Measured when `statistics` is read.
        public var silentFor: Duration = .zero
        /// `silentFor` is past `staleAfter`: what the reflector holds may be out of date.
        public var stale = false
        /// When the reflector last heard from the server (see `silentFor`).
        var lastHeard = ContinuousClock.now
    }

    enum Failure: Error, CustomStringConvertible {
        case status(APIStatus)
        case malformed(String)
        /// A LIST response or watch event over its limit.
        case tooLarge(String)
        /// A watch received nothing for this long (its timeoutSeconds + margin).
        case deadWatch(silentFor: Duration)

        var description: String {
            switch self {
            case .status(let status): "\(status)"
            case .malformed(let reason): reason
            case .tooLarge(let reason): reason
            case .deadWatch(let silence): "the watch received nothing for \(silence)"
            }
        }
    }

    private let client: HTTP2Client
    private let token: BearerToken
    private let configuration: Configuration
    public let sink: any ReflectorSink
    private let logger: Logger
    private let state = Mutex(Statistics())

    public init(client: HTTP2Client, token: BearerToken, configuration: Configuration, sink: any ReflectorSink, logger: Logger) {
        self.client = client
        self.token = token
        self.configuration = configuration
        self.sink = sink
        self.logger = logger
    }

    public var statistics: Statistics {
        var statistics = state.withLock { $0 }
        statistics.silentFor = statistics.lastHeard.duration(to: .now)
        statistics.stale = statistics.silentFor > staleAfter
        return statistics
    }

    /// How long the reflector may hear nothing before it is stale.
    var staleAfter: Duration { configuration.staleAfter ?? configuration.minimumWatchTimeout * 4 }

    /// Lists and watches until the task is cancelled, reporting when the resource goes
    /// stale and when it recovers.
    public func run() async {
        state.withLock { $0.lastHeard = .now }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.reportStaleness() }
            await self.listAndWatch()
            group.cancelAll()
        }
    }

    /// Logs once at warning when the reflector has heard nothing for `staleAfter`, and
    /// at info when it hears again. Looks a few times per threshold, at most every 30 s.
    private func reportStaleness() async {
        let threshold = staleAfter
        let tick = min(max(threshold / 8, .milliseconds(100)), .seconds(30))
        let resource = configuration.request.resource.description
        var staleSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            if Task.isCancelled { return }
            let (lastHeard, failing) = state.withLock { ($0.lastHeard, $0.failing) }
            let silence = lastHeard.duration(to: .now)
            if silence > threshold, staleSince == nil {
                staleSince = lastHeard
                logger.warning("nothing heard from the API server for longer than the threshold; this resource's metrics are stale", metadata: [
                    "resource": "\(resource)", "silent_for": "\(silence)", "threshold": "\(threshold)", "failing": "\(failing)",
                ])
            } else if silence <= threshold, let since = staleSince {
                staleSince = nil
                logger.info("the resource is current again", metadata: [
                    "resource": "\(resource)", "stale_for": "\(since.duration(to: lastHeard))",
                ])
            }
        }
    }

    /// Notes that the server was heard from (see `Statistics.silentFor`).
    private func heard() {
        state.withLock { $0.lastHeard = .now }
    }

    private func listAndWatch() async {
        var resourceVersion: String?
        var startsNow = false
        switch configuration.start {
        case .list: break
        case .resume(let version): resourceVersion = version.isEmpty ? nil : version
        case .now: startsNow = true
        }
        var failures = 0
        var lastFailure = ContinuousClock.now
        /// client-go's backoff manager: exponential, and forgotten after two quiet minutes.
        func nextDelay() -> Duration {
            if ContinuousClock.now - lastFailure > .seconds(120) { failures = 0 }
            failures += 1
            lastFailure = .now
            return backoff(failures)
        }
        var refusalLogged = false
        /// A streak of dead watches is reported once at warning.
        var deadWatchLogged = false
        /// The version a relist must not be older than (nil: any, the first list).
        var relistFrom: String?
        let resource = configuration.request.resource.description
        while !Task.isCancelled {
            do {
                if startsNow {
                    resourceVersion = try await currentVersion()
                    startsNow = false
                } else if resourceVersion == nil {
                    resourceVersion = try await relist(notOlderThan: relistFrom)
                }
                let started = ContinuousClock.now
                let applied = try await watch(from: &resourceVersion)
                refusalLogged = false
                deadWatchLogged = false
                state.withLock { $0.failing = false }
                // A server that ends every watch at once must not be asked again in a tight loop.
                if applied == 0 && ContinuousClock.now - started < .seconds(1) {
                    await sleep(nextDelay())
                } else {
                    failures = 0
                }
            } catch Failure.status(let status) where status.isExpired {
                // Relisted after a backoff, as client-go does: a server that answers every
                // watch with 410 must not turn into a LIST loop.
                state.withLock { $0.expired += 1 }
                if let resourceVersion { relistFrom = resourceVersion }
                resourceVersion = nil
                let delay = nextDelay()
                logger.debug("resource version expired; relisting", metadata: ["resource": "\(resource)", "after": "\(delay)"])
                await sleep(delay)
            } catch Failure.status(let status) where status.code == 403 {
                state.withLock { $0.forbidden += 1; $0.failing = true; $0.everFailed = true }
                if !refusalLogged {
                    logger.warning("the API server forbids listing or watching; check the RBAC rules. Retrying",
                                   metadata: ["resource": "\(resource)", "message": "\(status.message)",
                                              "retry": "\(configuration.forbiddenRetry)"])
                    refusalLogged = true
                }
                await sleep(configuration.forbiddenRetry)
            } catch Failure.status(let status) where status.code == 404 {
                // The cluster does not serve this group/version (an older Kubernetes, or an
                // API not enabled): say so once, then look again now and then.
                state.withLock { $0.otherErrors += 1; $0.failing = true; $0.everFailed = true }
                if !refusalLogged {
                    logger.warning("the API server does not serve this resource (older Kubernetes or API not enabled). Retrying",
                                   metadata: ["resource": "\(resource)", "retry": "\(configuration.forbiddenRetry)"])
                    refusalLogged = true
                }
                await sleep(configuration.forbiddenRetry)
            } catch Failure.status(let status) where status.code == 401 {
                state.withLock { $0.unauthorized += 1; $0.failing = true; $0.everFailed = true }
                token.invalidate()
                logger.warning("the API server rejected the credentials; re-reading the token", metadata: ["resource": "\(resource)"])
                await sleep(nextDelay())
            } catch is CancellationError {
                return
            } catch Failure.deadWatch(let silence) {
                // The server (or a proxy) stopped feeding the stream while the connection
                // stayed alive: resumed from the last version seen.
                state.withLock { $0.deadWatches += 1; $0.failing = true; $0.everFailed = true }
                let delay = nextDelay()
                logger.log(level: deadWatchLogged ? .debug : .warning, "a watch received nothing (no event, no bookmark) past its timeout; ended as dead, resuming",
                           metadata: ["resource": "\(resource)", "silent_for": "\(silence)", "retry": "\(delay)"])
                deadWatchLogged = true
                await sleep(delay)
            } catch Failure.tooLarge(let reason) {
                // Not a passing fault: a peer (or a proxy) sends what no API server would.
                state.withLock { $0.otherErrors += 1; $0.failing = true; $0.everFailed = true }
                let delay = nextDelay()
                logger.warning("list/watch refused an oversized response; retrying",
                               metadata: ["resource": "\(resource)", "error": "\(reason)", "retry": "\(delay)"])
                await sleep(delay)
            } catch {
                if Task.isCancelled { return }
                state.withLock { $0.otherErrors += 1; $0.failing = true; $0.everFailed = true }
                let delay = nextDelay()
                // One dropped watch is routine (API server restarts, load balancers); a streak is news.
                logger.log(level: failures > 1 ? .info : .debug, "list/watch failed; retrying",
                           metadata: ["resource": "\(resource)", "error": "\(error)", "retry": "\(delay)"])
                await sleep(delay)
            }
        }
    }

    // MARK: List

    /// The collection's current version from a one-item list, nothing delivered
    /// (never a full list just to learn where "now" is).
    private func currentVersion() async throws -> String {
        state.withLock { $0.listCalls += 1 }
        var request = configuration.request
        request.mode = .list(limit: 1, continueToken: nil)
        let page = try await readList(request, deliveringItems: false)
        guard page.status.code == 200 else { throw Failure.status(page.status) }
        let version = page.resourceVersion
        guard !version.isEmpty else { throw Failure.malformed("a list without a resourceVersion") }
        state.withLock {
            $0.listPages += 1
            $0.synced = true
            $0.completedLists += 1
            $0.failing = false
            $0.resourceVersion = version
            $0.lastHeard = .now
        }
        sink.progressed(to: version)
        return version
    }

    /// Lists every object, replacing the store's content; returns the list's
    /// resourceVersion. As client-go's reflector: from the API server's watch cache,
    /// at any version ("0") the first time and not older than `version` after a 410,
    /// each in one response, read as it arrives; a consistent paginated list ("") when
    /// that version is unavailable (410, too large).
    private func relist(notOlderThan version: String?) async throws -> String {
        do {
            return try await list(at: version ?? "0")
        } catch Failure.status(let status) where status.isExpired || status.isTooLargeResourceVersion {
            logger.debug("the watch cache cannot serve the list; listing consistently", metadata: ["status": "\(status)"])
        }
        return try await list(at: "")
    }

    /// One list at `version` ("" consistent, paginated; "0" any; a version, not older
    /// than it, unpaginated), page by page. An expired continue token of a consistent
    /// list restarts it.
    private func list(at version: String) async throws -> String {
        state.withLock { $0.listCalls += 1 }
        sink.beginRelist()
        var continueToken: String?
        var listVersion = ""
        var restarts = 0
        repeat {
            // A relist cancelled between pages (a re-partition) starts over; the next one reconciles.
            try Task.checkCancellation()
            var request = configuration.request
            // Not older than a version: from the watch cache, which serves such lists only unpaginated.
            let unpaginated = !version.isEmpty && version != "0"
            request.mode = .list(limit: unpaginated ? 0 : configuration.pageSize, continueToken: continueToken, resourceVersion: version)
            let page = try await readList(request, deliveringItems: true)
            guard page.status.code == 200 else {
                if page.status.isExpired && continueToken != nil && version.isEmpty && restarts < 3 {
                    // The snapshot behind the token was compacted: start over.
                    restarts += 1
                    state.withLock { $0.expired += 1 }
                    sink.beginRelist()
                    continueToken = nil
                    continue
                }
                throw Failure.status(page.status)
            }
            state.withLock { $0.listPages += 1 }
            listVersion = page.resourceVersion
            continueToken = page.continueToken
        } while continueToken != nil
        let removed = sink.endRelist()
        state.withLock {
            $0.reconciledDeletions += removed
            $0.synced = true
            $0.completedLists += 1
            $0.failing = false
            $0.lastHeard = .now
            if !listVersion.isEmpty { $0.resourceVersion = listVersion }
        }
        guard !listVersion.isEmpty else { throw Failure.malformed("a list without a resourceVersion") }
        sink.progressed(to: listVersion)
        return listVersion
    }

    /// One LIST response (a page, or a whole list from the watch cache), its items
    /// handed to the sink one by one as they arrive (unless only its version is wanted):
    /// memory holds one object, however long the list. A 200's status is `.ok`; of an
    /// error, its Status.
    private func readList(_ request: ListWatchRequest, deliveringItems: Bool) async throws
        -> (status: APIStatus, resourceVersion: String, continueToken: String?)
    {
        var status = 0
        var splitter = ListItemSplitter(maximumUnitBytes: configuration.maximumObjectBytes)
        var errorBody = BoundedBody(limit: configuration.maximumErrorBodyBytes)
        var version = "", token: String?
        var decodeErrors = 0
        defer {
            noteBuffered(max(splitter.largest, errorBody.bytes.count))
            if decodeErrors > 0 { state.withLock { $0.decodeErrors += decodeErrors } }
        }
        do {
            reading: for try await part in client.stream(try httpRequest(request, timeout: configuration.pageTimeout)) {
                switch part {
                case .head(let code, _):
                    status = code
                case .body(let bytes):
                    guard status == 200 else {
                        // Read up to its limit, for the message; leaving the loop resets the stream.
                        if !errorBody.append(bytes) { break reading }
                        continue
                    }
                    try bytes.withUnsafeBufferPointer { chunk in
                        // An item decoded in place is not scanned for its end first.
                        let takeItem: ((UnsafeBufferPointer<UInt8>) -> Int?)? =
                            deliveringItems ? { [sink] in sink.applyListed(prefixOf: $0) } : nil
                        try splitter.append(chunk, takeItem: takeItem) { piece, value in
                            switch piece {
                            case .item:
                                guard deliveringItems else { return }
                                do {
                                    _ = try sink.apply(.listed, object: value)
                                } catch {
                                    // Not delivered, so the relist's end removes any older version of it.
                                    decodeErrors += 1
                                    logger.debug("skipped a malformed object", metadata: ["error": "\(error)"])
                                }
                            case .member("metadata"):
                                (version, token) = try Self.listMetadata(value)
                            case .member("columnDefinitions"):
                                var reader = JSONReader(value)
                                sink.tableColumns(try Self.columnNames(&reader))
                            case .member:
                                break
                            }
                        }
                    }
                case .trailers:
                    break
                }
            }
        } catch let error as ListItemSplitter.TooLarge {
            state.withLock { $0.oversized += 1 }
            throw Failure.tooLarge("a LIST item larger than \(error.limit) bytes")
        } catch let error as ListItemSplitter.Malformed {
            throw Failure.malformed(error.description)
        }
        guard status == 200 else { return (errorBody.apiStatus(httpStatus: status), "", nil) }
        try splitter.finish()
        return (APIStatus(code: 200, reason: "", message: ""), version, token)
    }

    /// A list's version and continue token, from its `metadata`.
    private static func listMetadata(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (resourceVersion: String, continueToken: String?) {
        var reader = JSONReader(bytes)
        var version = "", token: String?
        try reader.readObject { reader, key in
            if key == "resourceVersion" {
                version = try reader.readString() ?? ""
            } else if key == "continue" {
                token = try reader.readString().flatMap { $0.isEmpty ? nil : $0 }
            } else {
                try reader.skipValue()
            }
        }
        return (version, token)
    }

    // MARK: Watch

    /// Watches from `resourceVersion`, advancing it with every event and bookmark.
    /// Returns when the server ends the watch; throws when it fails.
    /// Returns how many events and bookmarks it applied.
    ///
    /// The server ends a watch at its timeoutSeconds (client-go relies on that); one
    /// that sends nothing for timeoutSeconds + margin is dead and throws `deadWatch`
    /// (the stream's idle timeout: the connection, which answers PINGs, stays), and one
    /// that goes on past twice its timeoutSeconds + margin times out.
    @discardableResult
    private func watch(from resourceVersion: inout String?) async throws -> Int {
        guard let start = resourceVersion else { return 0 }
        // At least a second, at most a day: the arithmetic below never overflows.
        let minimum = min(max(Int(clamping: configuration.minimumWatchTimeout.components.seconds), 1), 86_400)
        let timeout = minimum + Int.random(in: 0..<minimum)
        var request = configuration.request
        request.mode = .watch(resourceVersion: start, timeoutSeconds: timeout)
        state.withLock { $0.watchCalls += 1 }

        var lines = LineBuffer(maximumLineBytes: configuration.maximumObjectBytes)
        var errorBody = BoundedBody(limit: configuration.maximumErrorBodyBytes)
        var status = 0
        var applied = 0
        defer {
            noteBuffered(max(lines.largest, errorBody.bytes.count))
            state.withLock { $0.watching = false }
        }
        let idle = Duration.seconds(timeout) + configuration.watchMargin
        let total = Duration.seconds(timeout) * 2 + configuration.watchMargin
        var http = try httpRequest(request, timeout: total)
        http.idleTimeout = idle
        var lastReceived = ContinuousClock.now
        do {
            reading: for try await part in client.stream(http) {
                lastReceived = .now
                switch part {
                case .head(let code, _):
                    status = code
                    if code == 200 { state.withLock { $0.watching = true } }
                case .body(let bytes):
                    try handleWatchBody(bytes, status: status, lines: &lines, errorBody: &errorBody, applied: &applied,
                                        resourceVersion: &resourceVersion)
                    if status != 200 && errorBody.truncated { break reading }
                case .trailers:
                    break
                }
            }
        } catch HTTP2Error.idleTimedOut {
            // Told apart by the transport, not by when this (possibly starved) task saw it.
            throw Failure.deadWatch(silentFor: lastReceived.duration(to: .now))
        }
        if status != 200 && status != 0 {
            throw Failure.status(errorBody.apiStatus(httpStatus: status))
        }
        // The server ended the watch: everything up to its end has been seen.
        if status == 200 { heard() }
        return applied
    }

    /// One DATA part of a watch: events applied line by line (a 200), or the start of
    /// an error's Status body.
    private func handleWatchBody(_ bytes: [UInt8], status: Int, lines: inout LineBuffer, errorBody: inout BoundedBody,
                                 applied: inout Int, resourceVersion: inout String?) throws {
        if status != 200 {
            // Only the first part is read, for the message; leaving the loop resets the stream.
            _ = errorBody.append(bytes)
            return
        }
        heard()
        lines.append(bytes)
        do {
            while let line = try lines.next() {
                try line.withUnsafeBufferPointer { try handleEvent($0, resourceVersion: &resourceVersion) }
                applied += 1
            }
        } catch let error as LineBuffer.LineTooLong {
            state.withLock { $0.oversized += 1 }
            throw Failure.tooLarge("a watch event larger than \(error.limit) bytes")
        }
    }

    private func handleEvent(_ line: UnsafeBufferPointer<UInt8>, resourceVersion: inout String?) throws {
        var reader = JSONReader(line)
        var type = ""
        var raw: UnsafeBufferPointer<UInt8>?
        try reader.readObject { reader, key in
            if key == "type" {
                type = try reader.readString() ?? ""
            } else if key == "object" {
                raw = try reader.readRawValue()
            } else {
                try reader.skipValue()
            }
        }
        guard let raw else { throw Failure.malformed("watch event without an object") }
        switch type {
        case "ADDED", "MODIFIED", "DELETED":
            let event: WatchEvent = type == "ADDED" ? .added : type == "MODIFIED" ? .modified : .deleted
            if configuration.request.view == .table {
                // A Table of (usually) one row; its column names may come with it.
                var table = JSONReader(raw)
                try table.readObject { reader, key in
                    if key == "columnDefinitions" {
                        sink.tableColumns(try Self.columnNames(&reader))
                    } else if key == "rows" {
                        try reader.readArray { reader in
                            let row = try reader.readRawValue()
                            apply(event, row, resourceVersion: &resourceVersion)
                        }
                    } else {
                        try reader.skipValue()
                    }
                }
            } else {
                apply(event, raw, resourceVersion: &resourceVersion)
            }
        case "BOOKMARK":
            let version = try Self.metadata(of: raw).resourceVersion
            guard !version.isEmpty else { return }
            resourceVersion = version
            state.withLock {
                $0.bookmarks += 1
                $0.resourceVersion = version
            }
            sink.progressed(to: version)
        case "ERROR":
            throw Failure.status(APIStatus.parse(raw, httpStatus: 500))
        default:
            throw Failure.malformed("unknown watch event type \"\(type)\"")
        }
    }

    /// Hands one object of a watch event to the sink and advances the resume point.
    private func apply(_ event: WatchEvent, _ raw: UnsafeBufferPointer<UInt8>, resourceVersion: inout String?) {
        let version: ObjectVersion
        do {
            version = try sink.apply(event, object: raw)
        } catch {
            state.withLock { $0.decodeErrors += 1 }
            logger.debug("skipped a malformed object", metadata: ["error": "\(error)"])
            // What is stored for it is no longer true: an update or deletion removes it.
            guard let meta = try? Self.metadata(of: raw) else { return }
            if event != .added && !meta.uid.isEmpty { sink.remove(uid: meta.uid) }
            if !meta.resourceVersion.isEmpty { resourceVersion = meta.resourceVersion }
            return
        }
        if !version.resourceVersion.isEmpty { resourceVersion = version.resourceVersion }
        state.withLock {
            $0.watchEvents += 1
            if !version.resourceVersion.isEmpty { $0.resourceVersion = version.resourceVersion }
        }
    }

    /// The metadata of an object (or of a Table row's object), whatever the rest holds.
    public static func metadata(of raw: UnsafeBufferPointer<UInt8>) throws -> ObjectMeta {
        var reader = JSONReader(raw)
        var meta = ObjectMeta()
        var rowObject: ObjectMeta?
        try reader.readObject { reader, key in
            if key == "metadata" {
                meta = memberByMember(try reader.readRawValue())
            } else if key == "object" {
                try reader.readObject { reader, key in
                    if key == "metadata" { rowObject = memberByMember(try reader.readRawValue()) } else { try reader.skipValue() }
                }
            } else if key == "rows" {
                // A Table: the version of its first row's object.
                try reader.readArray { reader in
                    let row = try reader.readRawValue()
                    if rowObject == nil { rowObject = try? metadata(of: row) }
                }
            } else {
                try reader.skipValue()
            }
        }
        if meta.resourceVersion.isEmpty || meta.uid.isEmpty, let rowObject { return rowObject }
        return meta
    }

    /// Each member of a `metadata` object read on its own: a malformed one (a garbled
    /// timestamp, a label that is a number) loses only itself, so the UID and version
    /// of an object that does not decode still remove its stale record.
    private static func memberByMember(_ raw: UnsafeBufferPointer<UInt8>) -> ObjectMeta {
        var meta = ObjectMeta()
        var reader = JSONReader(raw)
        try? reader.readObject { reader, key in
            var member = JSONReader(try reader.readRawValue())
            try? meta.decodeMember(key, from: &member, context: DecodingContext())
        }
        return meta
    }

    /// The `name`s of a Table's `columnDefinitions`.
    static func columnNames(_ reader: inout JSONReader) throws -> [String] {
        var names: [String] = []
        try reader.readArray { reader in
            var name = ""
            try reader.readObject { reader, key in
                if key == "name" { try reader.read(&name) } else { try reader.skipValue() }
            }
            names.append(name)
        }
        return names
    }

    // MARK: Requests

    private func noteBuffered(_ bytes: Int) {
        state.withLock { $0.largestBuffered = max($0.largestBuffered, bytes) }
    }

    private func httpRequest(_ request: ListWatchRequest, timeout: Duration) throws -> HTTP2Request {
        var headers: [(name: String, value: String)] = [("accept", request.accept), ("user-agent", configuration.userAgent)]
        if let authorization = try token.header() { headers.append(("authorization", authorization)) }
        return HTTP2Request(method: "GET", path: request.target, headers: headers, timeout: timeout, maximumResponseBytes: Int.max)
    }

    private func backoff(_ failures: Int) -> Duration {
        let initial = configuration.initialBackoff / .seconds(1)
        let maximum = configuration.maximumBackoff / .seconds(1)
        let base = min(initial * Double(1 << min(failures - 1, 16)), maximum)
        // Full jitter on top, as client-go's backoff manager: between base and 2 × base.
        return .milliseconds(Int64(min(base * Double.random(in: 1..<2), maximum) * 1000))
    }

    private func sleep(_ duration: Duration) async {
        try? await Task.sleep(for: duration)
    }
}
