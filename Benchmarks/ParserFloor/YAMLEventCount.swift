import CParserFloor

/// Runs libyaml's event parser over `text` and only counts its events, building nothing: what parsing
/// costs before any Swift value is made. Nil when the text is not valid YAML.
func yamlEventCount(_ text: String) -> Int? {
    var text = text
    return text.withUTF8 { bytes in
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        let empty: [UInt8] = [0]
        empty.withUnsafeBufferPointer { fallback in
            yaml_parser_set_input_string(&parser, bytes.baseAddress ?? fallback.baseAddress!, bytes.count)
        }
        var event = yaml_event_t()
        var count = 0
        while yaml_parser_parse(&parser, &event) == 1 {
            count += 1
            let type = event.type
            yaml_event_delete(&event)
            if type == YAML_STREAM_END_EVENT { return count }
        }
        return nil
    }
}
