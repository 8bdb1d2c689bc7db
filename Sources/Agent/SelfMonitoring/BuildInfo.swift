/// What this binary is.
enum BuildInfo {
    static let version = "0.1.0"

    static let swiftVersion: String = {
        #if swift(>=6.3)
        "6.3"
        #elseif swift(>=6.2)
        "6.2"
        #elseif swift(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }()
}
