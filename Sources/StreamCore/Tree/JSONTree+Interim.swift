// Interim: parse through JSONValue until the tree parser lands (branch treeparse).
extension JSONTree {
    public init(parsing text: String, options: JSONParser.Options = JSONParser.Options()) throws(JSONParseError) {
        self.init(try JSONParser.parse(text, options: options))
    }
}

// Interim: write through JSONValue until the tree writer lands (branch treediff).
extension JSONWriter {
    public mutating func write(_ tree: JSONTree) { write(tree.value) }
    public static func string(_ tree: JSONTree, pretty: Bool = false) -> String { string(tree.value, pretty: pretty) }
}

extension JSONTree {
    public init(parsing bytes: [UInt8], options: JSONParser.Options = JSONParser.Options()) throws(JSONParseError) {
        self.init(try JSONParser.parse(bytes, options: options))
    }
}

extension JSONWriter {
    public static func data(_ tree: JSONTree, pretty: Bool = false) -> [UInt8] { data(tree.value, pretty: pretty) }
}

extension JSONDiff {
    public static func diff(from a: JSONTree, to b: JSONTree) -> JSONPatch { diff(from: a.value, to: b.value) }
}
