import FaxImaging
import FormExtraction

/// Why the pipeline could not start or a document could not pass a stage.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    case configuration(file: String, line: Int?, key: String?, reason: String)
    case folder(path: String, reason: String)
    case store(String)

    public var description: String {
        switch self {
        case .configuration(let file, let line, let key, let reason):
            let at = line.map { ":\($0)" } ?? ""
            let name = key.map { "\($0): " } ?? ""
            return "\(file)\(at): \(name)\(reason)"
        case .folder(let path, let reason): return "\(path): \(reason)"
        case .store(let message): return message
        }
    }
}
