/// A JSON document for the run artefacts: keys sorted, two-space indentation, UTF-8 as is.
enum JSONValue {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case int(Int64)
    /// A finite number, written in its shortest form that reads back the same.
    case number(Double)
    case bool(Bool)
    case null

    func write(to out: inout [UInt8], indent: Int) {
        switch self {
        case .string(let text): TextEncoding.appendJSONString(text, to: &out)
        case .int(let number): TextEncoding.appendDecimal(number, to: &out)
        case .number(let number):
            precondition(number.isFinite, "JSON has no \(number)")
            out.append(contentsOf: number.description.utf8)
        case .bool(let flag): flag ? TextEncoding.appendASCII("true", to: &out) : TextEncoding.appendASCII("false", to: &out)
        case .null: TextEncoding.appendASCII("null", to: &out)
        case .array(let items):
            guard !items.isEmpty else { return out.append(contentsOf: "[]".utf8) }
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                out.append(contentsOf: (index == 0 ? "\n" : ",\n").utf8)
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent + 2))
                item.write(to: &out, indent: indent + 2)
            }
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { return out.append(contentsOf: "{}".utf8) }
            out.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                out.append(contentsOf: (index == 0 ? "\n" : ",\n").utf8)
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent + 2))
                TextEncoding.appendJSONString(key, to: &out)
                out.append(contentsOf: ": ".utf8)
                members[key]!.write(to: &out, indent: indent + 2)
            }
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `value` on one line, keys sorted, no spaces: a line of a JSON Lines file.
    static func compact(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .string, .int, .number, .bool, .null: value.write(to: &out, indent: 0)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                compact(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                TextEncoding.appendJSONString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                compact(members[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
