/// One thing the streaming HTML parser saw, as plain Swift values.
///
/// Events arrive in document order. libxml2 repairs broken markup before it reports it, so every
/// ``startElement(_:)`` is matched by exactly one ``endElement(name:)``, including elements that
/// the page never closed (those end where libxml2 decides, at the latest after ``endOfData``).
public enum HTMLEvent: Sendable, Equatable {
    /// An element starts.
    case startElement(HTMLElement)
    /// An element ends; `name` is lowercase, like the start's.
    case endElement(name: String)
    /// Character data, with entities already decoded exactly once by libxml2.
    case text(String)
    /// The page's data has ended. Sent exactly once. Every ``endElement(name:)`` after it closes an
    /// element the page left open at its end (a truncated page, or one that never closes `<body>`).
    case endOfData
    /// The parse stops before the end of the page (see ``HTMLParseReport/stoppedEarly``); sent
    /// just before ``endOfData``.
    case stopped(HTMLDiagnostic)
}

/// A start tag: its lowercase name, its attributes in source order, and the line it is on.
public struct HTMLElement: Sendable, Equatable {
    /// One attribute of a start tag.
    public struct Attribute: Sendable, Equatable {
        /// The lowercase attribute name.
        public var name: String
        /// The value with entities decoded; empty for a bare attribute like `<input disabled>`.
        public var value: String

        /// Creates an attribute.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The lowercase tag name, e.g. `div`.
    public var name: String
    /// The attributes in source order.
    public var attributes: [Attribute]
    /// The 1-based line of the page where libxml2 finished reading the start tag.
    public var line: Int
    /// Creates an element.
    public init(name: String, attributes: [Attribute] = [], line: Int) {
        self.name = name
        self.attributes = attributes
        self.line = line
    }

    /// The value of the first attribute called `name`, if any.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// Whether the element is a `name` element whose `class` attribute lists `className`.
    public func `is`(_ name: String, class className: String) -> Bool {
        guard self.name == name, let classes = attribute("class") else { return false }
        return HTMLClassList.contains(classes.utf8, className.utf8)
    }

    /// The classes after the first one, in order.
    public var extraClasses: [Substring] {
        HTMLClassList.extraClasses(attribute("class") ?? "")
    }
}

/// Something libxml2 reported while it recovered the page: a broken tag, a bad byte, an unknown entity.
public struct HTMLDiagnostic: Sendable, Equatable {
    /// How bad libxml2 thinks it is.
    public enum Severity: Sendable, Equatable {
        case warning
        case error
        case fatal
    }

    /// How bad it is.
    public var severity: Severity
    /// The 1-based line libxml2 was on (0 when unknown).
    public var line: Int
    /// The 1-based column libxml2 was on (0 when unknown).
    public var column: Int
    /// libxml2's message, trimmed, e.g. `Unexpected end tag : p`.
    public var message: String

    /// Creates a diagnostic.
    public init(severity: Severity, line: Int, column: Int, message: String) {
        self.severity = severity
        self.line = line
        self.column = column
        self.message = message
    }
}
