/// Where one label of the current sample line lies in the body (offsets into it, quotes
/// excluded). `escaped` says the span holds backslash escapes to undo; `nameQuoted` that
/// the name was a quoted string (so it may hold bytes an unquoted name cannot).
struct LabelSpan {
    var nameStart: Int
    var nameEnd: Int
    var nameEscaped: Bool
    var nameQuoted = false
    var valueStart: Int
    var valueEnd: Int
    var valueEscaped: Bool
}
