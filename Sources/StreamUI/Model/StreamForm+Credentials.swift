import StreamCore

// Credentials in the form: masked by default as `Redactor` masks them everywhere (the URL's
// user info and token query values, credential headers), shown and hidden again with Ctrl-R.
// The text holds what is shown; `secrets` holds what the masks stand for, and each masked
// piece left as shown is put back on saving by `StreamSpec.keepingSecrets`, the helper the
// control API's `PUT` uses. A piece typed over is what was typed.

extension StreamForm {
    /// The URL and headers the form stands for: as typed, each piece still masked taken from
    /// `secrets`. Nil when the headers cannot be read.
    func inClear() -> (url: String, headers: [(name: String, value: String)])? {
        let url = values[.url] ?? ""
        let (headers, problem) = StreamForm.headers(values[.headers] ?? "")
        guard problem == nil else { return nil }
        guard !showsCredentials, let secrets else { return (url, headers) }
        var typed = secrets
        typed.url = url
        typed.headers = headers
        let kept = typed.keepingSecrets(of: secrets)
        return (kept.url, kept.headers)
    }

    /// Masks the credentials shown; what they are is kept in `secrets`.
    mutating func hideCredentials() {
        guard let clear = inClear() else {
            // Headers that cannot be read cannot be masked one by one: they stay as typed.
            problem = (.headers, "headers: fix them (Name: value) before hiding the credentials")
            return
        }
        var shown = secrets ?? StreamSpec(id: editingID ?? "new", name: "", url: "")
        shown.url = clear.url
        shown.headers = clear.headers
        secrets = shown
        let masked = shown.redacted
        set(.url, masked.url)
        set(.headers, StreamForm.text(of: masked.headers))
        showsCredentials = false
    }

    /// Shows the credentials the masks stand for. An engine this monitor is attached to
    /// masks them before they leave it: they cannot be shown here, only typed anew.
    mutating func showCredentials() {
        guard let clear = inClear() else {
            problem = (.headers, "headers: fix them (Name: value) before showing the credentials")
            return
        }
        let url = clear.url, headers = StreamForm.text(of: clear.headers)
        if url == values[.url], headers == StreamForm.text(of: StreamForm.headers(values[.headers] ?? "").headers),
           url.contains(Redactor.mask) || headers.contains(Redactor.mask) {
            problem = (nil, "the engine keeps these credentials to itself: type new ones to replace them")
            return
        }
        set(.url, url)
        set(.headers, headers)
        showsCredentials = true
    }

    /// A field's new text; its cursor at the end when the text changed.
    private mutating func set(_ field: Field, _ text: String) {
        guard values[field] != text else { return }
        values[field] = text
        cursors[field] = nil
    }
}
