import ArgumentParser
import FormExtraction
import Foundation

/// `faxintake form-structure`: measure the blank form's section bars once, to store beside it.
struct FormStructureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "form-structure",
        abstract: "Measure the blank form's structure and store it beside the form.",
        discussion: """
            Renders the pipeline's blank form PDF and writes the section bars that registration anchors on \
            (in points) to NAME.structure.json beside it, which every later load reads instead of rendering. \
            The blank form does not embed its fonts, so what rendering measures moves a little with the fonts \
            a machine has; the stored structure is the same everywhere. Run it again when the form changes.
            """
    )

    @OptionGroup var options: PipelineOptions

    @Option(help: ArgumentHelp("Where to write it (default: NAME.structure.json beside the form).", valueName: "path"))
    var output: String?

    func run() throws {
        let configuration = try options.load()
        let base = URL(fileURLWithPath: configuration.formDirectory).appendingPathComponent(configuration.formName).path
        let structure: TemplateStructure
        do {
            let template = try FormTemplate.load(fieldMap: base + ".fields.json")
            structure = try FormDefinition.measure(blankForm: base + ".pdf", template: template)
        } catch {
            printError("error: \(error)")
            throw SysExit.config
        }
        let path = output ?? base + ".structure.json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try (try encoder.encode(structure) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path)) } catch {
            printError("error: \(path): cannot write it: \(error.localizedDescription)")
            throw SysExit.cantCreate
        }
        print("wrote \(path): \(structure.bars.count) section bars")
    }
}
