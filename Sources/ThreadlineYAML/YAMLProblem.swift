/// Why a YAML text could not be read, at a position in that text.
public struct YAMLProblem: Error, Sendable {
    /// What libyaml (or the loader) found wrong, without the context.
    public var problem: String
    public var line: Int
    public var column: Int
    /// libyaml's "while …" context and the position it started at, in the same text.
    public var context: Context?

    public struct Context: Sendable {
        /// e.g. `while parsing a flow sequence`.
        public var description: String
        public var line: Int
        public var column: Int
    }

    public init(message: String, line: Int, column: Int, context: Context? = nil) {
        self.problem = message
        self.line = line
        self.column = column
        self.context = context
    }

    /// The problem, then the context with its position: `did not find expected ',' or ']' (while
    /// parsing a flow sequence at line 1, column 8)`.
    public var message: String {
        guard let context else { return problem }
        return "\(problem) (\(context.description) at line \(context.line), column \(context.column))"
    }

    /// The same problem for a text that starts on line `firstLine` of a file (a markdown file's front
    /// matter): the error's position and the context's both move down, so both are file lines.
    public func inFile(startingAtLine firstLine: Int) -> YAMLProblem {
        var moved = self
        moved.line += firstLine - 1
        moved.context?.line += firstLine - 1
        return moved
    }
}
