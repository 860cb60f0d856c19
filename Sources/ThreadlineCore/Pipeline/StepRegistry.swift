/// Every step type threadline knows: the one place that lists them. Validation, `threadline steps`, the
/// docs and the JSON Schema of pipeline files all read it.
public struct StepRegistry: Sendable {
    public let types: [StepType]

    public init(_ types: [StepType]) {
        self.types = types
    }

    public static let builtIn = StepRegistry([
        MarkdownSource.type,
        SlackHTMLSource.type,
        SlackJSONSource.type,
        CleanText.type,
        CleanEmoji.type,
        NormaliseAuthors.type,
        LinkThreads.type,
        JSONLinesLoad.type,
        CSVLoad.type,
        ParquetLoad.type,
    ])

    public func type(named name: String) -> StepType? {
        types.first { $0.name == name }
    }

    public func types(of kind: StepKind) -> [StepType] {
        types.filter { $0.kind == kind }
    }
}
