// A stream's settings as shown to a client of the control API, secrets masked, and the way
// back: an edit that sends a masked value unchanged keeps the registered secret.

extension StreamSpec {
    /// These settings with every credential masked as `Redactor` masks it for display: the
    /// values of credential headers, credential query parameters and user info in the URL, and
    /// the webhook's path.
    public var redacted: StreamSpec {
        var shown = self
        shown.url = Redactor.url(url)
        shown.headers = headers.map { ($0.name, Redactor.header(name: $0.name, value: $0.value)) }
        if let webhook = notify?.webhook { shown.notify?.webhook = Redactor.webhook(webhook) }
        return shown
    }

    /// These settings, sent by a client that saw `registered.redacted`, with each value it sent
    /// back still masked replaced by the registered one: editing a stream's name through the API
    /// must not turn its token into `REDACTED`. In the URL this goes piece by piece (the user,
    /// the password, each credential query value), so a path changed beside a masked token
    /// keeps the token; a header is kept whole when its masked value comes back as shown.
    public func keepingSecrets(of registered: StreamSpec) -> StreamSpec {
        var kept = self
        kept.url = Redactor.restoring(url: url, from: registered.url)
        kept.headers = headers.map { header in
            let match = registered.headers.first {
                $0.name.lowercased() == header.name.lowercased()
                    && Redactor.header(name: $0.name, value: $0.value) == header.value
            }
            return (header.name, match?.value ?? header.value)
        }
        if let webhook = notify?.webhook, let original = registered.notify?.webhook,
           webhook == Redactor.webhook(original) {
            kept.notify?.webhook = original
        }
        return kept
    }
}
