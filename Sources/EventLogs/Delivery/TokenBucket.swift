/// A token bucket: `rate` tokens a second, holding at most `burst`. Not thread-safe;
/// its owner serialises access.
struct TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(rate: Double, burst: Double, now: ContinuousClock.Instant = .now) {
        self.rate = max(rate, 0)
        self.burst = max(burst, 1)
        tokens = self.burst
        updated = now
    }

    /// Takes a token if there is one.
    mutating func take(now: ContinuousClock.Instant = .now) -> Bool {
        let elapsed = (now - updated) / .seconds(1)
        if elapsed > 0 {
            tokens = min(burst, tokens + elapsed * rate)
            updated = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
