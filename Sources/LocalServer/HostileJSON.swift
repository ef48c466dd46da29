import CZlib

/// JSON that costs far more in memory than its size: the bodies a hostile or broken server can
/// send a JSON client. Served (gzip-compressed, a thousand to one) at `/hostile/<shape>?bytes=N`;
/// the memory benchmark parses them too.
public enum HostileJSON: String, CaseIterable, Sendable {
    /// `[[0],[0],…]`: an array's storage for every 4 bytes.
    case arrays1
    /// `[{},{},…]` and `[[],[],…]`: a slot for every 3 bytes.
    case objects, arrays0
    /// `[{"a":{"a":…}},…]`, objects nested to the depth limit (512).
    case nested
    /// `["","",…]`.
    case strings
    /// `[{"a":0,…,"z":0},…]`: objects of 26 one-letter keys (with an index each).
    case keys

    public var label: String {
        switch self {
        case .arrays1: return "[[0],[0],…]"
        case .objects: return "[{},{},…]"
        case .arrays0: return "[[],[],…]"
        case .nested: return #"[{"a":{"a":…}},…] (depth 512)"#
        case .strings: return #"["","",…]"#
        case .keys: return #"[{"a":0,…,"z":0},…]"#
        }
    }

    /// The element the body repeats.
    public var element: [UInt8] {
        let text: String
        switch self {
        case .arrays1: text = "[0]"
        case .objects: text = "{}"
        case .arrays0: text = "[]"
        case .nested: text = String(repeating: #"{"a":"#, count: 511) + "0" + String(repeating: "}", count: 511)
        case .strings: text = #""""#
        case .keys: text = "{" + "abcdefghijklmnopqrstuvwxyz".map { "\"\($0)\":0" }.joined(separator: ",") + "}"
        }
        return Array(text.utf8)
    }

    /// `[element,element,…]`: as many elements as fit in `size` bytes.
    public func body(size: Int) -> [UInt8] {
        HostileJSON.array(of: element, size: size)
    }

    /// An array of `element` repeated, at most `size` bytes.
    public static func array(of element: [UInt8], size: Int) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(size)
        body.append(UInt8(ascii: "["))
        while body.count + element.count + 1 <= size {
            if body.count > 1 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: element)
        }
        body.append(UInt8(ascii: "]"))
        return body
    }

    /// `body(size:)` gzip-compressed, made a piece at a time: the whole body is never in memory.
    public func gzipBody(size: Int) -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init_gzip(&stream, 9) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        let piece = HostileJSON.array(of: element, size: 1 << 20)  // "[e,…,e]"
        let middle = Array(piece.dropFirst().dropLast()) + [UInt8(ascii: ",")]  // "e,…,e,"
        var output: [UInt8] = []
        var out = [UInt8](repeating: 0, count: 1 << 16)
        func feed(_ bytes: [UInt8], finish: Bool) {
            var bytes = bytes
            bytes.withUnsafeMutableBufferPointer { input in
                stream.next_in = input.baseAddress
                stream.avail_in = UInt32(input.count)
                var result = Z_OK
                repeat {
                    out.withUnsafeMutableBufferPointer { buffer in
                        stream.next_out = buffer.baseAddress
                        stream.avail_out = UInt32(buffer.count)
                        result = deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                        output.append(contentsOf: buffer[..<(buffer.count - Int(stream.avail_out))])
                    }
                } while stream.avail_out == 0 || (finish && result != Z_STREAM_END)
            }
        }
        var written = 1
        feed([UInt8(ascii: "[")], finish: false)
        while written + middle.count + element.count + 1 <= size {
            feed(middle, finish: false)
            written += middle.count
        }
        var tail: [UInt8] = []
        while written + tail.count + 2 * (element.count + 1) <= size {
            tail += element + [UInt8(ascii: ",")]
        }
        feed(tail + element + [UInt8(ascii: "]")], finish: true)
        return output
    }
}
