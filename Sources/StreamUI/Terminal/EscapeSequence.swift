/// What follows an ESC that ncurses did not turn into a key, decoded whatever terminfo says.
/// ncurses knows only the sequences of $TERM's entry, and terminals send others: tmux sends
/// `ESC [ 4 ~` for End and `ESC [ 1 ~` for Home whatever TERM its pane has (xterm-256color's
/// entry says `ESC O F` and `ESC O H`), rxvt `ESC [ 8 ~`, the Linux console `ESC [ [ A` for F1.
/// Undecoded, such a key would be Esc (closing the log pane) and then text. A sequence the
/// monitor has no use for is dropped whole, so no part of it is ever typed into a field.
enum EscapeSequence: Equatable {
    /// Not a sequence: ESC alone (or Alt with a key); what was read after it is read again.
    case escape
    /// Read one more scalar.
    case incomplete
    case key(Key)
    case mouse(MouseEvent)
    /// A whole sequence that means nothing here (a focus report, a key the monitor lacks).
    case ignored
    /// The last scalar cannot continue the sequence: the rest is dropped, that one read again.
    case broken

    /// Longer than any key or mouse report: dropped.
    static let longest = 32

    /// Decodes `scalars`, what came after the ESC so far.
    static func decode(_ scalars: [Unicode.Scalar]) -> EscapeSequence {
        guard let introducer = scalars.first else { return .incomplete }
        guard scalars.count <= longest else { return .ignored }
        switch introducer {
        case "[": return controlSequence(Array(scalars.dropFirst()))
        case "O": return singleShift(Array(scalars.dropFirst()))
        default: return .escape
        }
    }

    /// `ESC O` then a letter (an optional modifier digit before it): the cursor keys, Home,
    /// End and F1–F4 in the keypad's application mode, and the keypad's own keys.
    private static func singleShift(_ body: [Unicode.Scalar]) -> EscapeSequence {
        guard let last = body.last else { return .incomplete }
        if ("0"..."9").contains(last) { return .incomplete }
        guard body.dropLast().allSatisfy({ ("0"..."9").contains($0) }), (0x40...0x7E).contains(last.value) else {
            return .broken
        }
        if let key = letterKey(last) { return .key(key) }
        switch last {
        case "M": return .key(.enter)
        case "p"..."y": return .key(.character(Character(Unicode.Scalar(last.value - 0x40)!)))  // keypad 0–9
        case "k": return .key(.character("+"))
        case "m": return .key(.character("-"))
        case "j": return .key(.character("*"))
        case "o": return .key(.character("/"))
        case "n": return .key(.character("."))
        default: return .ignored
        }
    }

    /// The keys a final letter names, in `ESC O` and `ESC [` sequences alike.
    private static func letterKey(_ letter: Unicode.Scalar) -> Key? {
        switch letter {
        case "A": return .up
        case "B": return .down
        case "C": return .right
        case "D": return .left
        case "H": return .home
        case "F": return .end
        case "P": return .function(1)
        case "Q": return .function(2)
        case "R": return .function(3)
        case "S": return .function(4)
        default: return nil
        }
    }

    /// `ESC [`, parameters (0x30–0x3F), intermediates (0x20–0x2F), a final byte (0x40–0x7E);
    /// and the two that break that grammar: X10 mouse reports (`ESC [ M` and three bytes) and
    /// the Linux console's F1–F5 (`ESC [ [ A`…`E`).
    private static func controlSequence(_ body: [Unicode.Scalar]) -> EscapeSequence {
        if body.first == "M" {
            guard body.count >= 4 else { return .incomplete }
            let values = body[1...3].map { Int($0.value) - 32 }
            guard values.allSatisfy({ $0 >= 0 && $0 < 0x60 }) else { return .ignored }
            return mouse(button: values[0], column: values[1] - 1, row: values[2] - 1, released: false)
        }
        if body.first == "[" {
            guard body.count >= 2 else { return .incomplete }
            guard let last = body.last, ("A"..."E").contains(last) else { return .broken }
            return .key(.function(Int(last.value - 0x40)))
        }
        var index = 0
        while index < body.count, (0x30...0x3F).contains(body[index].value) { index += 1 }
        let parameters = String(String.UnicodeScalarView(body[..<index]))
        while index < body.count, (0x20...0x2F).contains(body[index].value) { index += 1 }
        guard index < body.count else { return .incomplete }
        let final = body[index]
        guard (0x40...0x7E).contains(final.value) else { return .broken }
        guard index == body.count - 1 else { return .broken }
        let numbers = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        if parameters.hasPrefix("<"), final == "M" || final == "m" {
            // SGR mouse report: `ESC [ < button ; column ; row M` (m: released), from 1.
            let fields = parameters.dropFirst().split(separator: ";").compactMap { Int($0) }
            guard fields.count == 3 else { return .ignored }
            return mouse(button: fields[0], column: fields[1] - 1, row: fields[2] - 1, released: final == "m")
        }
        guard parameters.allSatisfy({ $0.isNumber || $0 == ";" }) else { return .ignored }
        if final == "~" { return tildeKey(numbers.first.flatMap { $0 } ?? 0).map { .key($0) } ?? .ignored }
        if final == "Z" { return .key(.backTab) }
        // A modifier (`ESC [ 1 ; 5 A`, Ctrl-Up) does not change what the key does here.
        return letterKey(final).map { .key($0) } ?? .ignored
    }

    /// `ESC [ n ~`: the VT220 editing keys and function keys.
    private static func tildeKey(_ number: Int) -> Key? {
        switch number {
        case 1, 7: return .home
        case 4, 8: return .end
        case 3: return .delete
        case 5: return .pageUp
        case 6: return .pageDown
        case 11...15: return .function(number - 10)
        case 17...21: return .function(number - 11)
        case 23, 24: return .function(number - 12)
        default: return nil
        }
    }

    /// A mouse report's button field: 64 and up the wheel, 32 set while moving (dropped),
    /// 4, 8 and 16 the modifiers; the low two bits the button (3: released, in X10 reports).
    private static func mouse(button: Int, column: Int, row: Int, released: Bool) -> EscapeSequence {
        guard column >= 0, row >= 0, button & 32 == 0 else { return .ignored }
        if button & 64 != 0 {
            switch button & 3 {
            case 0: return .mouse(MouseEvent(.wheelUp, row: row, column: column))
            case 1: return .mouse(MouseEvent(.wheelDown, row: row, column: column))
            default: return .ignored
            }
        }
        guard !released, button & 3 == 0 else { return .ignored }
        return .mouse(MouseEvent(.press, row: row, column: column))
    }
}
