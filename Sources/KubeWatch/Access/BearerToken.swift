import Synchronization

/// Supplies the `authorization` header for API requests. A token file is re-read
/// when its modification time or size changes (projected service-account tokens are
/// replaced about hourly), and at once after the server answers 401.
public final class BearerToken: Sendable {
    private struct Cached {
        var header: String?
        var version: (seconds: Int, nanoseconds: Int, size: Int)?
    }

    private let credential: Credential
    private let cached = Mutex(Cached())

    public init(credential: Credential) {
        self.credential = credential
    }

    public struct Unreadable: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// `Bearer <token>`, or nil for no header.
    public func header() throws(Unreadable) -> String? {
        switch credential {
        case .none:
            return nil
        case .token(let token):
            return "Bearer " + token
        case .tokenFile(let path):
            let version = LocalFile.version(path)
            let known = cached.withLock { state -> String? in
                guard let version, let seen = state.version, seen == version else { return nil }
                return state.header
            }
            if let known { return known }
            let token: String
            do {
                token = try LocalFile.text(path).trimmingWhitespace()
            } catch {
                throw Unreadable(description: "token file \(error)")
            }
            guard !token.isEmpty else { throw Unreadable(description: "token file \(path) is empty") }
            let header = "Bearer " + token
            cached.withLock { $0 = Cached(header: header, version: version) }
            return header
        }
    }

    /// The server rejected the token: read the file again before the next request.
    public func invalidate() {
        cached.withLock { $0 = Cached() }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
