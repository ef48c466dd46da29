// Typing in a form field: a cursor per field, moved by character (a base and its combining
// marks, an emoji with its modifiers), insertion and deletion at the cursor.

extension StreamForm {
    /// What a key does to the focused field (Tab and arrows up and down, Enter and Esc are the
    /// controller's); false when it does nothing here.
    public mutating func edit(_ key: Key) -> Bool {
        if key == .control("r") { return reveal() }
        if focus.isChoice {
            // The mode and serving are choices, not text: Space (any character) and ← → toggle them.
            guard key.printable != nil || key == .left || key == .right else { return false }
            toggle(focus)
            return true
        }
        let text = Array(values[focus] ?? "")
        let at = cursor(in: focus)
        switch key {
        case .left: cursors[focus] = max(0, at - 1)
        case .right: cursors[focus] = min(text.count, at + 1)
        case .home: cursors[focus] = 0
        case .end: cursors[focus] = text.count
        case .backspace:
            guard at > 0 else { return true }
            replace(at - 1..<at, with: "")
        case .delete:
            guard at < text.count else { return true }
            replace(at..<at + 1, with: "")
        case .control("u"):
            replace(0..<text.count, with: "")
        default:
            // Printable characters only: the form never holds control characters.
            guard let character = key.printable else { return false }
            replace(at..<at, with: String(character))
        }
        return true
    }

    /// The cursor of `field`: characters before it.
    public func cursor(in field: Field) -> Int {
        let count = (values[field] ?? "").count
        return min(cursors[field] ?? count, count)
    }

    /// Replaces characters `range` of the focused field with `text`, the cursor after it. A
    /// combining mark typed after a letter joins it, so the cursor is counted afresh.
    private mutating func replace(_ range: Range<Int>, with text: String) {
        let characters = Array(values[focus] ?? "")
        let before = String(characters[..<range.lowerBound]) + text
        values[focus] = before + String(characters[range.upperBound...])
        cursors[focus] = before.count
        problem = nil
    }

    /// Ctrl-R: toggles whether credentials show; true (the form changed).
    private mutating func reveal() -> Bool {
        if showsCredentials { hideCredentials() } else { showCredentials() }
        return true
    }
}
