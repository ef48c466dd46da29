// Placeholder until the page lands (helper branch h14page replaces this file).
package enum ServedPage {
    package static let contentSecurityPolicy = "default-src 'none'"
    package static func html(id: String, name: String) -> [UInt8] { Array("<!doctype html><title>streamtop</title>".utf8) }
}
