import FaxImaging

/// Why extraction could not run; per-field problems are not errors but issues on the field.
public enum ExtractionError: Error, Sendable, CustomStringConvertible {
    case template(path: String, reason: String)
    case wordList(path: String, reason: String)
    case calibration(path: String, reason: String)
    case decode(DecodeError)
    case recognition(file: String, page: Int, RecognitionError)

    public var description: String {
        switch self {
        case .template(let path, let reason): return "\(path): form template: \(reason)"
        case .wordList(let path, let reason): return "\(path): word list: \(reason)"
        case .calibration(let path, let reason): return "\(path): confidence calibration: \(reason)"
        case .decode(let error): return error.description
        case .recognition(let file, let page, let error): return "\(file): page \(page + 1): \(error)"
        }
    }
}
