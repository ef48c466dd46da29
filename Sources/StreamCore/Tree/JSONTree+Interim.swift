// Interim: parse through JSONValue until the tree parser lands (branch treeparse).
extension JSONTree {
    public init(parsing text: String, options: JSONParser.Options = JSONParser.Options()) throws(JSONParseError) {
        self.init(try JSONParser.parse(text, options: options))
    }

    public init(parsing bytes: [UInt8], options: JSONParser.Options = JSONParser.Options()) throws(JSONParseError) {
        self.init(try JSONParser.parse(bytes, options: options))
    }
}
