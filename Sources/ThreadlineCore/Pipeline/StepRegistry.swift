/// Every step type threadline knows, by stage: the one place that lists them. Validation, `threadline
/// steps`, the docs and the JSON Schema of pipeline files all read it.
public struct StepRegistry: Sendable {
    package let extract: [StepType<any ExtractStep>]
    package let transform: [StepType<any TransformStep>]
    package let load: [StepType<any LoadStep>]

    package init(extract: [StepType<any ExtractStep>], transform: [StepType<any TransformStep>], load: [StepType<any LoadStep>]) {
        self.extract = extract
        self.transform = transform
        self.load = load
    }

    public static let builtIn = StepRegistry(
        extract: [MarkdownSource.type, SlackHTMLSource.type, SlackJSONSource.type],
        transform: [CleanText.type, CleanEmoji.type, NormaliseAuthors.type, LinkThreads.type, Dedupe.type],
        load: [JSONLinesLoad.type, CSVLoad.type, ParquetLoad.type, ReportLoad.type])

    /// Every step type, stage by stage.
    package var all: [any StepDescription] { extract + transform + load }

    /// The step types of one stage.
    package func types(of kind: StepKind) -> [any StepDescription] {
        switch kind {
        case .extract: extract
        case .transform: transform
        case .load: load
        }
    }

    /// The step type of any stage with this name.
    package func type(named name: String) -> (any StepDescription)? {
        all.first { $0.name == name }
    }
}
