import Foundation

/// Human and machine documentation generated from the declarations: `threadline steps`, `threadline
/// schema`, the generated sections of docs/ and the pipeline file's JSON Schema.
package enum Reference {
    // MARK: Steps

    /// Every step type with its options, types and defaults, as `threadline steps` prints it.
    package static func stepsText(_ registry: StepRegistry = .builtIn) -> String {
        var out = ""
        for kind in StepKind.allCases {
            out += "\(kind.rawValue):\n"
            for type in registry.types(of: kind) {
                out += "  \(type.name) — \(type.summary)\n"
                for option in type.options {
                    out += "    \(option.name) (\(option.type.label); \(defaultText(option)))\n      \(option.doc)\n"
                }
            }
            out += "\n"
        }
        out += "top-level keys:\n"
        for option in PipelineKeys.all {
            out += "  \(option.name) (\(option.type.label); \(defaultText(option)))\n    \(option.doc)\n"
        }
        for section in PipelineKeys.sections {
            out += "\n\(section.key): — \(section.doc)\n"
            for option in section.options {
                out += "  \(option.name) (\(option.type.label); \(defaultText(option)))\n    \(option.doc)\n"
            }
        }
        return out
    }

    /// `required`, `default: x` or `optional`.
    private static func defaultText(_ option: OptionSpec) -> String {
        option.isRequired ? "required" : option.defaultValue.map { "default: \($0)" } ?? "optional"
    }

    /// The same as a markdown reference, for docs/pipeline.md.
    package static func stepsMarkdown(_ registry: StepRegistry = .builtIn) -> String {
        var out = "| key | type | default | meaning |\n| --- | --- | --- | --- |\n"
        for option in PipelineKeys.all { out += row(option) }
        for section in PipelineKeys.sections {
            out += "\n#### `\(section.key):`\n\n\(section.doc.prefix(1).uppercased() + section.doc.dropFirst()).\n\n"
            out += "| key | type | default | meaning |\n| --- | --- | --- | --- |\n"
            for option in section.options { out += row(option) }
        }
        for kind in StepKind.allCases {
            for type in registry.types(of: kind) {
                out += "\n#### `\(type.name)` (\(kind.rawValue))\n\n\(type.summary).\n\n```yaml\n\(type.example)\n```\n\n"
                if type.options.isEmpty { continue }
                out += "| option | type | default | meaning |\n| --- | --- | --- | --- |\n"
                for option in type.options { out += row(option) }
            }
        }
        return out
    }

    private static func row(_ option: OptionSpec) -> String {
        let value = option.isRequired ? "required" : option.defaultValue.map { "`\($0)`" } ?? ""
        return "| `\(option.name)` | \(option.type.label.replacingOccurrences(of: "|", with: "\\|")) | \(value) | \(option.doc.replacingOccurrences(of: "|", with: "\\|")) |\n"
    }

    // MARK: Rules

    /// Every rule, as `threadline rules` prints it.
    package static func rulesText(_ registry: StepRegistry = .builtIn) -> String {
        let entries = RuleBook.entries(registry)
        let width = entries.map(\.rule.id.count).max() ?? 0
        var out = ""
        for entry in entries {
            let rule = entry.rule
            out += rule.id.padding(toLength: width, withPad: " ", startingAt: 0)
                + "  \(rule.severity.rawValue); run: \(rule.run.rawValue); \(entry.checkedBy.joined(separator: ", "))\n"
            out += String(repeating: " ", count: width + 2) + rule.summary + "\n"
        }
        out += "\nvalidate --ignore RULE and the pipeline's validate.ignore leave out a rule a run does not reject or refuse.\n"
        return out
    }

    /// The rules table of docs/validate.md.
    package static func rulesMarkdown(_ registry: StepRegistry = .builtIn) -> String {
        var out = "| rule | in `validate`/`check` | in `run` | checked by | what it checks |\n| --- | --- | --- | --- | --- |\n"
        for entry in RuleBook.entries(registry) {
            let rule = entry.rule
            let cells = [
                "`\(rule.id)`", rule.severity.rawValue, rule.run.rawValue,
                entry.checkedBy.map { registry.type(named: $0) == nil ? $0 : "`\($0)`" }.joined(separator: ", "),
                rule.summary.replacingOccurrences(of: "|", with: "\\|"),
            ]
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// The rules as JSON, for tools.
    package static func rulesJSON(_ registry: StepRegistry = .builtIn) -> String {
        json(RuleBook.entries(registry).map { entry in
            [
                "id": entry.rule.id, "severity": entry.rule.severity.rawValue, "run": entry.rule.run.rawValue,
                "checked_by": entry.checkedBy, "summary": entry.rule.summary, "can_be_ignored": entry.rule.canBeIgnored,
            ] as [String: Any]
        })
    }

    // MARK: Tables

    /// The data dictionary, as `threadline schema` prints it.
    package static func schemaText(_ tables: [Table] = Table.allCases) -> String {
        tables.map { table in
            let schema = table.schema
            let width = schema.columns.map(\.name.count).max() ?? 0
            let typeWidth = schema.columns.map { typeLabel($0).count }.max() ?? 0
            let lines = schema.columns.map { column in
                "  " + column.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + typeLabel(column).padding(toLength: typeWidth, withPad: " ", startingAt: 0) + "  " + column.doc
            }
            return "\(schema.name) — \(schema.doc)\n" + lines.joined(separator: "\n") + "\n" + keysText(schema, indent: "  ")
        }.joined(separator: "\n")
    }

    /// `primary key: x` and, when there are any, `foreign keys: a → t.b, …`, a line each.
    private static func keysText(_ schema: TableSchema, indent: String) -> String {
        var out = "\(indent)primary key: \(schema.primaryKey)\n"
        if !schema.foreignKeys.isEmpty {
            out += "\(indent)foreign keys: " + schema.foreignKeys.map { "\($0.column) → \($0.table.rawValue).\($0.referencedColumn)" }
                .joined(separator: ", ") + "\n"
        }
        return out
    }

    package static func schemaMarkdown(_ tables: [Table] = Table.allCases) -> String {
        tables.map { table in
            let schema = table.schema
            var out = "#### \(schema.name)\n\n\(schema.doc)\n\n| column | type | meaning |\n| --- | --- | --- |\n"
            for column in schema.columns { out += "| `\(column.name)` | \(typeLabel(column)) | \(column.doc) |\n" }
            out += "\nPrimary key: `\(schema.primaryKey)`."
            if !schema.foreignKeys.isEmpty {
                out += " Foreign keys: " + schema.foreignKeys.map { "`\($0.column)` → `\($0.table.rawValue).\($0.referencedColumn)`" }
                    .joined(separator: ", ") + "."
            }
            return out + "\n"
        }.joined(separator: "\n")
    }

    /// The schema as JSON: for tools that check outputs.
    package static func schemaJSON(_ tables: [Table] = Table.allCases) -> String {
        let object = tables.map { table in
            [
                "table": table.rawValue, "doc": table.schema.doc,
                "columns": table.schema.columns.map {
                    ["name": $0.name, "type": $0.type.rawValue, "nullable": $0.nullable, "doc": $0.doc] as [String: Any]
                },
                "primary_key": table.schema.primaryKey,
                "foreign_keys": table.schema.foreignKeys.map {
                    ["column": $0.column, "references": ["table": $0.table.rawValue, "column": $0.referencedColumn]] as [String: Any]
                },
            ] as [String: Any]
        }
        return json(object)
    }

    static func typeLabel(_ column: Column) -> String {
        column.type.rawValue + (column.nullable ? ", null" : "")
    }

    // MARK: JSON Schema

    /// A JSON Schema (draft 2020-12) of pipeline files, for editors' YAML completion.
    package static func pipelineJSONSchema(_ registry: StepRegistry = .builtIn) -> String {
        var properties: [String: Any] = [:]
        for option in PipelineKeys.all { properties[option.name] = schema(for: option) }
        for section in PipelineKeys.sections {
            var keys: [String: Any] = [:]
            for option in section.options { keys[option.name] = schema(for: option) }
            properties[section.key] = [
                "description": section.doc, "type": ["object", "null"], "additionalProperties": false, "properties": keys,
            ] as [String: Any]
        }
        for (key, kind, doc) in PipelineKeys.stepLists {
            properties[key] = [
                "description": doc, "type": ["array", "null"],
                "items": ["oneOf": registry.types(of: kind).map(stepSchema)],
            ] as [String: Any]
        }
        let root: [String: Any] = [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://threadline.dev/schemas/pipeline-v1.json",
            "title": "threadline pipeline file",
            "type": "object",
            "additionalProperties": false,
            "required": PipelineKeys.all.filter(\.isRequired).map(\.name) + ["extract", "load"],
            "properties": properties,
        ]
        return json(root)
    }

    private static func stepSchema(_ type: any StepDescription) -> [String: Any] {
        var properties: [String: Any] = ["type": ["const": type.name, "description": type.summary]]
        for option in type.options { properties[option.name] = schema(for: option) }
        return [
            "type": "object", "title": type.name, "additionalProperties": false,
            "required": ["type"] + type.options.filter(\.isRequired).map(\.name),
            "properties": properties,
        ]
    }

    private static func schema(for option: OptionSpec) -> [String: Any] {
        var schema: [String: Any] = ["description": option.doc]
        switch option.type {
        case .string, .path: schema["type"] = "string"
        case .integer: schema["type"] = "integer"
        case .boolean: schema["type"] = "boolean"
        case .stringList:
            schema["oneOf"] = [["type": "string"], ["type": "array", "items": ["type": "string"]]]
        case .choice(let names): schema["enum"] = names
        case .choiceList(let names):
            schema["oneOf"] = [["enum": names], ["type": "array", "items": ["enum": names], "uniqueItems": true]] as [[String: Any]]
        case .tables:
            let names = Table.allCases.map(\.rawValue)
            schema["oneOf"] = [["const": "all"], ["type": "array", "items": ["enum": names]]] as [[String: Any]]
        case .byteSize:
            schema["oneOf"] = [["type": "integer", "minimum": 0], ["type": "string", "pattern": "^[0-9]+ *([KkMmGg]([Ii][Bb]|[Bb])|[Bb])?$"]] as [[String: Any]]
        case .countOrPercent:
            schema["oneOf"] = [["type": "integer", "minimum": 0], ["type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?%|[0-9]+|unlimited)$"]] as [[String: Any]]
        }
        if let value = option.defaultValue {
            switch value {
            case .string(let text): schema["default"] = text
            case .int(let number): schema["default"] = number
            case .bool(let flag): schema["default"] = flag
            case .list(let items): schema["default"] = items == ["all"] ? "all" as Any : items as Any
            case .limit(let limit): schema["default"] = limit.description
            }
        }
        return schema
    }

    private static func json(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
