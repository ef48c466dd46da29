import Foundation
import StreamCore

/// The monitor's own settings, remembered between runs in `$XDG_CONFIG_HOME/streamtop/ui.json`:
/// the theme, whether broken streams ring the bell, and whether the mouse is used.
public struct UISettings: Sendable, Equatable {
    public var theme = "default"
    public var bell = true
    /// Clicks and the wheel (false: the terminal keeps the mouse, for selecting text).
    public var mouse = true

    public init() {}

    public static func load(path: String) -> UISettings {
        var settings = UISettings()
        guard let bytes = try? WholeFile.read(path: path, limit: 64 << 10), let json = try? JSONParser.parse(bytes) else { return settings }
        if let theme = json["theme"]?.stringValue { settings.theme = theme }
        if case .bool(let bell)? = json["bell"] { settings.bell = bell }
        if case .bool(let mouse)? = json["mouse"] { settings.mouse = mouse }
        return settings
    }

    /// Written whole to a temporary file, then renamed over the old one.
    public func save(path: String) {
        let json: JSONValue = ["theme": .string(theme), "bell": .bool(bell), "mouse": .bool(mouse)]
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(JSONWriter.data(json, pretty: true) + [0x0A]).write(to: url, options: .atomic)
    }
}
