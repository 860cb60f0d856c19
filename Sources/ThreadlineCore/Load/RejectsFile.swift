/// `_rejects.jsonl`: one object per rejected file or record.
enum RejectsFile {
    static func write(_ rejects: [Reject], quarantine: Bool, to output: StagedOutput) throws {
        let writer = try BufferedFileWriter(output)
        var line: [UInt8] = []
        for reject in rejects {
            line.removeAll(keepingCapacity: true)
            var fields: [(String, Value)] = [
                ("file", .string(reject.file)), ("line", Value(reject.line)), ("column", Value(reject.column)),
                ("step", .string(reject.step)), ("rule", .string(reject.rule.id)), ("reason", .string(reject.reason)),
            ]
            if quarantine {
                // A record over Reject.maxRecordBytes is cut: record_bytes says how long it was.
                fields.append(("record", Value(reject.record)))
                fields.append(("record_bytes", Value(reject.recordBytes)))
            }
            for (index, (key, value)) in fields.enumerated() {
                line.append(index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
                TextEncoding.appendJSONString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                TextEncoding.appendJSON(value, to: &line)
            }
            line.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
            try writer.write(line)
        }
        try writer.flush()
    }
}
