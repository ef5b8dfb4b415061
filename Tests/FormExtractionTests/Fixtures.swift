import FaxImaging
import Foundation
@testable import FormExtraction

/// Paths to the project's form template and the shared corpus.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let formDirectory = packageRoot.appendingPathComponent("Pipelines/forms").path
    static let formName = "medical-prior-authorization-request-form"

    static func corpus(_ name: String) -> String { shared.appendingPathComponent("corpus-dev/\(name)").path }

    /// The form, loaded once: rendering and measuring the blank PDF is the slow part.
    static let form: FormDefinition = {
        do { return try FormDefinition.load(directory: formDirectory, name: formName) } catch {
            preconditionFailure("the bundled form template must load: \(error)")
        }
    }()

    static func extractor() throws -> FormExtractor {
        FormExtractor(form: form, recognizer: try TesseractRecognizer())
    }
}
