import Foundation
import StreamCore

/// The monitor's own settings, remembered between runs in `$XDG_CONFIG_HOME/streamtop/ui.json`:
/// the theme, and whether broken streams ring the bell.
public struct UISettings: Sendable, Equatable {
    public var theme = "default"
    public var bell = true

    public init() {}

    public static func load(path: String) -> UISettings {
        var settings = UISettings()
        guard let bytes = try? WholeFile.read(path: path, limit: 64 << 10), let json = try? JSONParser.parse(bytes) else { return settings }
        if let theme = json["theme"]?.stringValue { settings.theme = theme }
        if case .bool(let bell)? = json["bell"] { settings.bell = bell }
        return settings
    }

    /// Written whole to a temporary file, then renamed over the old one.
    public func save(path: String) {
        let json: JSONValue = ["theme": .string(theme), "bell": .bool(bell)]
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(JSONWriter.data(json, pretty: true) + [0x0A]).write(to: url, options: .atomic)
    }
}
