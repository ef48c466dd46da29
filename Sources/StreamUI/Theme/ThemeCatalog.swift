#if canImport(Glibc)
import Glibc
#endif
import StreamCore

/// Where themes are found, in order: the user's (`$XDG_CONFIG_HOME/streamtop/themes`), the
/// installed ones (`PREFIX/share/streamtop/themes` beside `PREFIX/bin/streamtop`), and the
/// shipped ones (`Themes/`), compiled in so that a binary copied anywhere offers them all. The
/// first of a name wins: a file overrides a shipped theme of its name, or adds one. `default`
/// always exists: without files and shipped themes it is `Theme.builtInDefault`.
public struct ThemeCatalog: Sendable {
    public let directories: [String]
    /// Name → the text of a theme file, found after every directory.
    let shipped: [String: String]

    /// A catalog of `directories` only (and the built-in default).
    public init(directories: [String]) {
        self.init(directories: directories, shipped: [:])
    }

    init(directories: [String], shipped: [String: String]) {
        self.directories = directories
        self.shipped = shipped
    }

    /// The standard directories for this environment and executable, and the shipped themes.
    public static func standard(environment: [String: String], executablePath: String) -> ThemeCatalog {
        var directories: [String] = []
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            directories.append("\(config)/streamtop/themes")
        } else if let home = environment["HOME"] {
            directories.append("\(home)/.config/streamtop/themes")
        }
        directories.append("\(parent(of: parent(of: executablePath)))/share/streamtop/themes")
        var seen = Set<String>()
        return ThemeCatalog(directories: directories.filter { seen.insert($0).inserted }, shipped: ShippedThemes.files)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Every theme name, `default` first, the rest sorted.
    public func names() -> [String] {
        var names = Set(shipped.keys)
        for directory in directories {
            for file in ThemeCatalog.files(in: directory) where file.hasSuffix(".theme") {
                names.insert(String(file.dropLast(".theme".count)))
            }
        }
        names.remove("default")
        return ["default"] + names.sorted()
    }

    /// Theme `name`, and a message for a person when something was wrong with it (the
    /// default is used when it cannot be read at all).
    public func load(_ name: String) -> (theme: Theme, message: String?) {
        for directory in directories {
            let path = "\(directory)/\(name).theme"
            do {
                let bytes = try WholeFile.read(path: path, limit: 256 << 10)
                let parsed = ThemeFile.parse(String(decoding: bytes, as: UTF8.self), name: name)
                let message = parsed.warnings.isEmpty ? nil : "theme \(name): " + parsed.warnings.joined(separator: "; ")
                return (parsed.theme, message.map { Sanitizer.line($0) })
            } catch .missing {
                continue
            } catch {
                return (Theme.builtInDefault, Sanitizer.line("theme \(name) could not be read (\(path): \(error)); using the default"))
            }
        }
        if let text = shipped[name] { return (ThemeFile.parse(text, name: name).theme, nil) }
        if name == "default" { return (Theme.builtInDefault, nil) }
        return (Theme.builtInDefault, Sanitizer.line("no theme named \(name); using the default"))
    }

    static func files(in directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }
}
