import HTTP2Transport

/// The three requests leader election makes on its one Lease: GET, POST (create) and
/// PUT (update, always naming the resourceVersion last read: the server's 409 is the
/// only mutual exclusion there is).
public struct LeaseClient: Sendable {
    /// What the API server answered.
    public enum Outcome: Sendable, Equatable {
        /// The Lease as stored (after a write: with its new resourceVersion).
        case lease(LeaseRecord)
        case notFound
        /// 409: someone wrote since our read (Conflict), or created it first (AlreadyExists).
        case conflict
        /// Anything else: unreachable, timed out, 403, 5xx, a body that is not a Lease.
        case failed(String)
    }

    let client: HTTP2Client
    let token: BearerToken
    let namespace: String
    let name: String
    let userAgent: String

    public init(client: HTTP2Client, token: BearerToken, namespace: String, name: String, userAgent: String) {
        self.client = client
        self.token = token
        self.namespace = namespace
        self.name = name
        self.userAgent = userAgent
    }

    private var collection: String {
        "/apis/coordination.k8s.io/v1/namespaces/\(URLQuery.escape(namespace))/leases"
    }

    public func get(timeout: Duration) async -> Outcome {
        await exchange("GET", path: collection + "/" + URLQuery.escape(name), body: nil, timeout: timeout)
    }

    public func create(_ lease: LeaseRecord, timeout: Duration) async -> Outcome {
        var fresh = lease
        fresh.resourceVersion = ""
        fresh.uid = ""
        return await exchange("POST", path: collection, body: fresh.json, timeout: timeout)
    }

    /// `lease.resourceVersion` must be the one last read.
    public func update(_ lease: LeaseRecord, timeout: Duration) async -> Outcome {
        precondition(!lease.resourceVersion.isEmpty, "a Lease update must name the resourceVersion it replaces")
        return await exchange("PUT", path: collection + "/" + URLQuery.escape(name), body: lease.json, timeout: timeout)
    }

    private func exchange(_ method: String, path: String, body: String?, timeout: Duration) async -> Outcome {
        var headers: [(name: String, value: String)] = [("accept", "application/json"), ("user-agent", userAgent)]
        if body != nil { headers.append(("content-type", "application/json")) }
        do {
            if let authorization = try token.header() { headers.append(("authorization", authorization)) }
        } catch {
            return .failed("\(error)")
        }
        let request = HTTP2Request(method: method, path: path, headers: headers, body: body.map { Array($0.utf8) } ?? [],
                                   timeout: timeout, maximumResponseBytes: 1 << 20)
        let response: HTTP2Response
        do {
            response = try await client.send(request)
        } catch {
            return .failed("\(method) lease: \(error)")
        }
        switch response.status {
        case 200, 201:
            let decoded: LeaseRecord? = response.body.withUnsafeBufferPointer { try? LeaseRecord(json: $0) }
            guard let decoded, !decoded.resourceVersion.isEmpty else { return .failed("\(method) lease: the answer is not a Lease") }
            return .lease(decoded)
        case 404:
            return .notFound
        case 409:
            return .conflict
        default:
            if response.status == 401 { token.invalidate() }
            let status = response.body.withUnsafeBufferPointer { APIStatus.parse($0, httpStatus: response.status) }
            return .failed("\(method) lease: \(status)")
        }
    }
}
