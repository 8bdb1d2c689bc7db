/// One problem in a configuration file, printed as `FILE:LINE:COLUMN: message`
/// (the form compilers use, so editors can jump to it).
struct ConfigDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int
    var message: String

    var description: String { "\(file):\(line):\(column): \(message)" }
}

/// All problems found in one configuration file.
struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    var diagnostics: [ConfigDiagnostic]

    var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
