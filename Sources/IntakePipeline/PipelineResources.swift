import FaxImaging
import FormExtraction
import Foundation

/// The files a pipeline reads besides its own (form template, word list, OCR models), loaded and checked
/// once before anything is taken from the spool: a bad one stops the program at start, never a document.
public struct PipelineResources: Sendable {
    public let form: FormDefinition
    public let lexicon: Lexicon?
    /// The second-opinion model's tessdata folder (`extraction.second_opinion_tessdata`), checked at load;
    /// each extractor opens its own engine from it.
    public let secondOpinionModel: String?
    public let policy: ExtractionPolicy
    /// The plan's member roster, provider directory and ICD-10-CM, where the pipeline names them.
    public let references: ReferenceChecks
    /// Turns field evidence into the chance a value is right (`extraction.calibration`), if configured.
    public let calibration: ConfidenceCalibration?
    /// Where the first model comes from: nil is tesseract's default folder (Debian's fast English model).
    private let firstModelPath: String?

    /// Loads every configured file; the error names the pipeline key and the path to fix.
    public static func load(_ configuration: PipelineConfiguration) throws(PipelineError) -> PipelineResources {
        func refuse(_ key: String, _ reason: String) -> PipelineError {
            .configuration(file: configuration.file, line: nil, key: key, reason: reason)
        }
        let form: FormDefinition
        do throws(ExtractionError) {
            form = try FormDefinition.load(directory: configuration.formDirectory, name: configuration.formName)
        } catch {
            throw refuse("form.template", error.description)
        }
        let calibration: ConfidenceCalibration?
        do throws(ExtractionError) {
            calibration = try configuration.calibration.map { path throws(ExtractionError) in try ConfidenceCalibration.load(path: path) }
        } catch {
            throw refuse("extraction.calibration", error.description)
        }
        // Both models are opened now, so a missing one is found before the first document rather than by it.
        do throws(RecognitionError) { _ = try TesseractRecognizer() } catch {
            throw refuse("extraction", "\(error); tesseract's English model is missing (install tesseract-ocr-eng; scripts/setup.sh does)")
        }
        if let path = configuration.secondOpinionTessdata {
            do throws(RecognitionError) { _ = try TesseractRecognizer(dataPath: path) } catch {
                throw refuse("extraction.second_opinion_tessdata", "\(error) from \(path) (scripts/setup.sh installs it)")
            }
        }
        let references = try ReferenceChecks.load(configuration, template: form.template)
        // The roster's and directory's names join the word lists: a name the plan knows is no misread.
        let lexicon: Lexicon?
        do throws(ExtractionError) {
            lexicon = configuration.wordLists.isEmpty ? nil : try Lexicon.load(paths: configuration.wordLists, names: references.nameWords)
        } catch {
            throw refuse("extraction.word_list", error.description)
        }
        return PipelineResources(form: form, lexicon: lexicon, secondOpinionModel: configuration.secondOpinionTessdata, policy: configuration.extraction,
                                 references: references, calibration: calibration, firstModelPath: nil)
    }

    /// Resources around a given form, for tests and tools that bring their own recognisers.
    public init(form: FormDefinition, lexicon: Lexicon? = nil, secondOpinionModel: String? = nil,
                policy: ExtractionPolicy = ExtractionPolicy(), calibration: ConfidenceCalibration? = nil) {
        self.init(form: form, lexicon: lexicon, secondOpinionModel: secondOpinionModel, policy: policy,
                  references: .none(form.template), calibration: calibration, firstModelPath: nil)
    }

    private init(form: FormDefinition, lexicon: Lexicon?, secondOpinionModel: String?, policy: ExtractionPolicy,
                 references: ReferenceChecks, calibration: ConfidenceCalibration?, firstModelPath: String?) {
        self.references = references
        self.form = form
        self.lexicon = lexicon
        self.secondOpinionModel = secondOpinionModel
        self.policy = policy
        self.calibration = calibration
        self.firstModelPath = firstModelPath
    }

    /// A worker's extractor: its own engines for both models, made on the worker's thread and used only
    /// there. One second-opinion engine shared by the workers made each wait for the other whenever both
    /// were unsure of a field at once (measured: the two extract threads busy 80–86% of the time instead
    /// of 94%, and 1.2× slower in `bench run`); a model's memory per worker (about 40 MB) buys that back.
    /// `calibrated: false` leaves out the calibration (to fit a new one).
    public func makeExtractor(calibrated: Bool = true) throws(StageFailure) -> FormExtractor {
        do throws(RecognitionError) {
            let second = try secondOpinionModel.map { path throws(RecognitionError) in try TesseractRecognizer(dataPath: path) }
            return FormExtractor(form: form, recognizer: try TesseractRecognizer(dataPath: firstModelPath), secondOpinion: second,
                                 policy: policy, lexicon: lexicon, calibration: calibrated ? calibration : nil)
        } catch {
            throw StageFailure(stage: .extract, reason: "\(error); is tesseract-ocr-eng installed?", permanent: false)
        }
    }
}
