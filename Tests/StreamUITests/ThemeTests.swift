import Foundation
@testable import StreamUI
import XCTest

/// Theme files (good, partial, broken), colour mapping, and where themes are found.
final class ThemeTests: XCTestCase {
    func testParsesBtopFormatAndKeepsDefaultsForMissingRoles() {
        let parsed = ThemeFile.parse("""
            # a comment
            theme[main_fg]="#ffffff"
            theme[state_failed] = "196"
            theme[title]="bright_white"
            theme[selected_bg]=""
            theme8[state_failed]="red"
            theme[future_role]="#123456"
            """, name: "mine")
        XCTAssertEqual(parsed.warnings, [])
        let theme = parsed.theme
        XCTAssertEqual(theme.color(.mainFG), .rgb(255, 255, 255))
        XCTAssertEqual(theme.color(.stateFailed), .index(196))
        XCTAssertEqual(theme.color(.title), .index(15))
        XCTAssertEqual(theme.color(.selectedBG), .terminalDefault)
        XCTAssertEqual(theme.color(.stateOpen), Theme.builtInDefault.color(.stateOpen), "missing roles take the default's")
        XCTAssertEqual(theme.paletteIndex(.stateFailed, depth: .eight), 1)
        XCTAssertNil(theme.paletteIndex(.stateFailed, depth: .monochrome))
    }

    func testBrokenValuesAreReportedWithTheirLine() {
        let parsed = ThemeFile.parse("theme[main_fg]=\"#12345\"\nnot a theme line\ntheme[graph]=\"chartreuse\"\ntheme[hi_fg]=\"300\"\n", name: "broken")
        XCTAssertEqual(parsed.warnings, [
            "line 1: main_fg: \"#12345\" is not a colour (#rrggbb, 0-255 or a name)",
            "line 2: expected theme[role]=\"value\"",
            "line 3: graph: \"chartreuse\" is not a colour (#rrggbb, 0-255 or a name)",
            "line 4: hi_fg: \"300\" is not a colour (#rrggbb, 0-255 or a name)",
        ])
        XCTAssertEqual(parsed.theme.color(.mainFG), Theme.builtInDefault.color(.mainFG))
    }

    func testHexMapsToTheNearest256And8Colours() {
        XCTAssertEqual(ThemeColor.rgb(255, 0, 0).index256, 196)
        XCTAssertEqual(ThemeColor.rgb(0x80, 0x80, 0x80).index256, 244, "greys go to the grey ramp")
        XCTAssertEqual(ThemeColor.rgb(0x5F, 0xAF, 0xD7).index256, 74)
        XCTAssertEqual(ThemeColor.rgb(0, 0, 0).index256, 16)
        XCTAssertEqual(ThemeColor.rgb(255, 0, 0).index8, 1)
        XCTAssertEqual(ThemeColor.rgb(0x5F, 0xD7, 0x5F).index8, 2)
        XCTAssertEqual(ThemeColor.index(9).index8, 1)
        XCTAssertNil(ThemeColor.terminalDefault.index256)
    }

    func testShippedThemesParseCleanlyAndTheCatalogFindsThem() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let catalog = ThemeCatalog(directories: [repository + "/Themes"])
        XCTAssertEqual(catalog.names(), ["default", "high-contrast", "light", "mono", "solarized-dark"])
        for name in catalog.names() {
            let (theme, message) = catalog.load(name)
            XCTAssertNil(message, name)
            XCTAssertEqual(theme.name, name)
        }
        // Wherever the executable is (a checkout or not), every shipped theme: they are compiled in.
        for executable in [repository + "/.build/debug/streamtop", "/nonexistent/bin/streamtop"] {
            let standard = ThemeCatalog.standard(environment: ["HOME": "/nonexistent"], executablePath: executable)
            XCTAssertEqual(standard.names(), catalog.names(), executable)
            for name in catalog.names() { XCTAssertEqual(standard.load(name).theme, catalog.load(name).theme, name) }
        }
        // Installed: PREFIX/bin/streamtop finds PREFIX/share/streamtop/themes, after the user's.
        let installed = ThemeCatalog.standard(
            environment: ["XDG_CONFIG_HOME": "/home/u/.config"], executablePath: "/opt/st/bin/streamtop")
        XCTAssertEqual(installed.directories, ["/home/u/.config/streamtop/themes", "/opt/st/share/streamtop/themes"])
    }

    /// Themes/ is the source of truth; the compiled-in copy must be the same, byte for byte.
    func testCompiledInThemesAreTheFilesInThemes() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Themes").path
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".theme") }
        let names = files.map { String($0.dropLast(".theme".count)) }
        let fix = "Themes/ and Sources/StreamUI/Theme/ShippedThemes.swift differ: run contrib/update-themes"
        XCTAssertEqual(Set(ShippedThemes.files.keys), Set(names), fix)
        for (name, file) in zip(names, files) {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            XCTAssertEqual(ShippedThemes.files[name], text, "\(name): \(fix)")
        }
    }

    /// The user's files and the installed ones override shipped themes by name, and add themes.
    func testFilesOverrideAndExtendTheShippedThemes() throws {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamtop-themes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["user", "installed"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        func write(_ path: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: root + path))
        }
        try write("/user/light.theme", "theme[title]=\"#010203\"\n")
        try write("/installed/light.theme", "theme[title]=\"#040506\"\n")
        try write("/installed/mono.theme", "theme[title]=\"#070809\"\n")
        try write("/installed/extra.theme", "theme[title]=\"#0a0b0c\"\n")
        let catalog = ThemeCatalog(directories: [root + "/user", root + "/installed"], shipped: ShippedThemes.files)
        XCTAssertEqual(catalog.names(), ["default", "extra", "high-contrast", "light", "mono", "solarized-dark"])
        XCTAssertEqual(catalog.load("light").theme.color(.title), .rgb(1, 2, 3), "the user's first")
        XCTAssertEqual(catalog.load("mono").theme.color(.title), .rgb(7, 8, 9), "then the installed ones")
        XCTAssertEqual(catalog.load("extra").theme.color(.title), .rgb(10, 11, 12))
        let text = try XCTUnwrap(ShippedThemes.files["solarized-dark"])
        let shipped = ThemeFile.parse(text, name: "solarized-dark").theme
        XCTAssertEqual(catalog.load("solarized-dark").theme, shipped, "then the shipped ones")
        XCTAssertNil(catalog.load("solarized-dark").message)
    }

    /// The shipped default.theme and the default compiled in as a `Theme` (used with no theme at
    /// all, and for roles a theme leaves out) give every role the same colour at every depth.
    func testTheShippedDefaultIsTheBuiltInDefault() throws {
        let shipped = ThemeFile.parse(try XCTUnwrap(ShippedThemes.files["default"]), name: "default")
        XCTAssertEqual(shipped.warnings, [])
        for depth in [ColorDepth.eight, .full] {
            for role in ThemeRole.allCases {
                let builtIn = Theme.builtInDefault.paletteIndex(role, depth: depth)
                XCTAssertEqual(shipped.theme.paletteIndex(role, depth: depth), builtIn, "\(role) \(depth)")
            }
        }
    }

    func testUnreadableOrMissingThemesFallBackToTheDefault() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-themes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/bad.theme", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = ThemeCatalog(directories: [directory])
        let (missing, missingMessage) = catalog.load("nope")
        XCTAssertEqual(missing, Theme.builtInDefault)
        XCTAssertEqual(missingMessage, "no theme named nope; using the default")
        let (bad, badMessage) = catalog.load("bad")  // a directory: reading fails
        XCTAssertEqual(bad, Theme.builtInDefault)
        XCTAssertTrue(badMessage?.hasPrefix("theme bad could not be read") == true, badMessage ?? "")
        XCTAssertEqual(catalog.load("default").theme, Theme.builtInDefault, "the default needs no file")
    }

    func testSettingsAreRememberedAndABadFileGivesTheDefaults() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("streamtop-ui-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/streamtop/ui.json"
        XCTAssertEqual(UISettings.load(path: path), UISettings(), "no file: the defaults")
        var settings = UISettings()
        settings.theme = "solarized-dark"
        settings.bell = false
        settings.save(path: path)
        XCTAssertEqual(UISettings.load(path: path), settings)
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(UISettings.load(path: path), UISettings())
    }
}
