import StreamCore
import StreamEngine

/// Formats what `tail` reports, as JSON lines for scripts or as plain text for people.
///
/// The JSONL format is a contract (scripts parse it, and the engine's `tail URL` adds kinds to
/// it without changing these):
///
/// | kind | fields |
/// | --- | --- |
/// | `event` | `type`, `id`, `data`, `bytes`; with `--document`: `ops` (patch events), `document` |
/// | `retry` | `ms` |
/// | `error` | `message`; where it applies `event`, `id`, `status` |
/// | `summary` | `events`, `bytes`, `reconnects`, `errors`, `lastEventId`, `retryMs`; `document` with `--quiet --document` |
///
/// Every string goes through `JSONWriter`, which escapes C0, DEL and C1 controls, so JSONL is
/// safe on a terminal; plain text goes through `Sanitizer`.
struct TailRenderer {
    var jsonl: Bool
    var includeDocument: Bool
    var quiet: Bool
    private var writer = JSONWriter(reservingCapacity: 1 << 16)

    init(jsonl: Bool, includeDocument: Bool, quiet: Bool) {
        self.jsonl = jsonl
        self.includeDocument = includeDocument
        self.quiet = quiet
    }

    /// Takes the formatted bytes, leaving the renderer empty.
    mutating func take() -> [UInt8] {
        let bytes = writer.bytes
        writer.removeAll()
        return bytes
    }

    var isEmpty: Bool { writer.isEmpty }

    /// Bytes formatted and not yet taken.
    var byteCount: Int { writer.buffer.count }

    mutating func event(_ event: SSEEvent, observation: Observation?) {
        guard !quiet else { return }
        let bytes = event.data.utf8.count
        if jsonl {
            writer.appendRaw(#"{"kind":"event","type":"#)
            writer.writeString(event.type)
            writer.appendRaw(#","id":"#)
            writer.writeString(event.lastEventID)
            writer.appendRaw(#","data":"#)
            writer.writeString(event.data)
            writer.appendRaw(#","bytes":"#)
            writer.writeInteger(bytes)
            if includeDocument, let observation {
                if observation.kind == .patch {
                    writer.appendRaw(#","ops":"#)
                    writer.writeInteger(observation.operations)
                }
                if let document = observation.document {
                    writer.appendRaw(#","document":"#)
                    writer.write(document)
                }
            }
            writer.appendRaw("}\n")
        } else {
            var header = "\(event.type)  id \(event.lastEventID.isEmpty ? "-" : event.lastEventID)  \(HumanUnits.bytes(bytes))"
            if let observation, observation.kind == .patch { header += "  \(observation.operations) op\(observation.operations == 1 ? "" : "s")" }
            if let observation, observation.kind != .text { header += observation.changed ? "  changed" : "  unchanged" }
            plainLine(Sanitizer.line(header))
            for line in event.data.split(separator: "\n", omittingEmptySubsequences: false) {
                plainLine("  " + Sanitizer.line(String(line)))
            }
            // A snapshot's data is the document and text leaves it alone: show the document
            // after patches, where it is news.
            if includeDocument, let observation, observation.kind == .patch, let document = observation.document {
                plainLine("  document: " + Sanitizer.line(JSONWriter.string(document)))
            }
        }
    }

    mutating func retry(_ milliseconds: Int) {
        guard !quiet else { return }
        if jsonl {
            writer.appendRaw(#"{"kind":"retry","ms":"#)
            writer.writeInteger(milliseconds)
            writer.appendRaw("}\n")
        } else {
            plainLine("retry  \(milliseconds) ms")
        }
    }

    mutating func poll(_ poll: TailPoll) {
        guard !quiet else { return }
        if jsonl {
            writer.appendRaw(#"{"kind":"poll","status":"#)
            if let status = poll.status { writer.writeInteger(status) } else { writer.appendRaw("null") }
            writer.appendRaw(#","wireBytes":"#)
            writer.writeInteger(Int(poll.wireBytes))
            writer.appendRaw(#","bytes":"#)
            writer.writeInteger(poll.bodyBytes)
            writer.appendRaw(#","changed":"#)
            poll.changed ? writer.appendRaw("true") : writer.appendRaw("false")
            writer.appendRaw(#","patch":"#)
            writer.write(poll.patch.json)
            writer.appendRaw(#","patchBytes":"#)
            writer.writeInteger(poll.patchBytes)
            writer.appendRaw(#","skipped":"#)
            writer.writeInteger(poll.skipped)
            if includeDocument, let document = poll.document {
                writer.appendRaw(#","document":"#)
                writer.write(document)
            }
            writer.appendRaw("}\n")
        } else {
            let status = poll.status.map(String.init) ?? "-"
            var line = "poll  \(status)  \(HumanUnits.bytes(Int(poll.wireBytes))) on the wire  \(HumanUnits.bytes(poll.bodyBytes)) body"
            line += poll.changed ? "  changed, patch \(HumanUnits.bytes(poll.patchBytes))" : "  unchanged"
            if poll.skipped > 0 { line += "  (\(poll.skipped) skipped: the previous poll was still in flight)" }
            plainLine(Sanitizer.line(line))
        }
    }

    mutating func connect(attempt: Int, lastEventID: String?) {
        guard !quiet else { return }
        if jsonl {
            writer.appendRaw(#"{"kind":"connect","attempt":"#)
            writer.writeInteger(attempt)
            writer.appendRaw(#","lastEventId":"#)
            if let lastEventID { writer.writeString(lastEventID) } else { writer.appendRaw("null") }
            writer.appendRaw("}\n")
        } else {
            plainLine(Sanitizer.line("connect  attempt \(attempt)" + (lastEventID.map { "  last id \($0)" } ?? "")))
        }
    }

    mutating func open(status: Int, contentType: String?) {
        guard !quiet else { return }
        if jsonl {
            writer.appendRaw(#"{"kind":"open","status":"#)
            writer.writeInteger(status)
            writer.appendRaw(#","contentType":"#)
            if let contentType { writer.writeString(contentType) } else { writer.appendRaw("null") }
            writer.appendRaw("}\n")
        } else {
            plainLine(Sanitizer.line("open  \(status) \(contentType ?? "")"))
        }
    }

    mutating func close(reason: String) {
        guard !quiet else { return }
        if jsonl {
            writer.appendRaw(#"{"kind":"close","reason":"#)
            writer.writeString(reason)
            writer.appendRaw("}\n")
        } else {
            plainLine(Sanitizer.line("close  \(reason)"))
        }
    }

    mutating func reconnect(delayMilliseconds: Int) {
        guard !quiet else { return }
        if jsonl {
            writer.appendRaw(#"{"kind":"reconnect","delayMs":"#)
            writer.writeInteger(delayMilliseconds)
            writer.appendRaw("}\n")
        } else {
            plainLine("reconnect  in \(delayMilliseconds) ms")
        }
    }

    mutating func error(_ message: String, eventType: String? = nil, lastEventID: String? = nil, status: Int? = nil) {
        if jsonl {
            writer.appendRaw(#"{"kind":"error","message":"#)
            writer.writeString(message)
            if let eventType {
                writer.appendRaw(#","event":"#)
                writer.writeString(eventType)
            }
            if let lastEventID {
                writer.appendRaw(#","id":"#)
                writer.writeString(lastEventID)
            }
            if let status {
                writer.appendRaw(#","status":"#)
                writer.writeInteger(status)
            }
            writer.appendRaw("}\n")
        } else {
            var context: [String] = []
            if let eventType { context.append("event \(eventType)") }
            if let lastEventID, !lastEventID.isEmpty { context.append("id \(lastEventID)") }
            if let status { context.append("status \(status)") }
            plainLine(Sanitizer.line("error: \(message)" + (context.isEmpty ? "" : " (\(context.joined(separator: ", ")))")))
        }
    }

    mutating func summary(_ totals: TailTotals, document: JSONTree?) {
        if jsonl {
            writer.appendRaw(#"{"kind":"summary","events":"#)
            writer.writeInteger(totals.events)
            writer.appendRaw(#","bytes":"#)
            writer.writeInteger(totals.bytes)
            writer.appendRaw(#","reconnects":"#)
            writer.writeInteger(totals.reconnects)
            writer.appendRaw(#","errors":"#)
            writer.writeInteger(totals.errors)
            writer.appendRaw(#","lastEventId":"#)
            writer.writeString(totals.lastEventID)
            writer.appendRaw(#","retryMs":"#)
            if let retry = totals.retryMilliseconds { writer.writeInteger(retry) } else { writer.appendRaw("null") }
            if quiet && includeDocument {
                writer.appendRaw(#","document":"#)
                if let document { writer.write(document) } else { writer.appendRaw("null") }
            }
            writer.appendRaw("}\n")
        } else {
            var parts = [
                "\(totals.events) event\(totals.events == 1 ? "" : "s")",
                HumanUnits.bytes(totals.bytes) + " read",
                "\(totals.errors) error\(totals.errors == 1 ? "" : "s")",
            ]
            if totals.reconnects > 0 { parts.append("\(totals.reconnects) reconnects") }
            if !totals.lastEventID.isEmpty { parts.append("last id \(totals.lastEventID)") }
            if let retry = totals.retryMilliseconds { parts.append("retry \(retry) ms") }
            plainLine(Sanitizer.line("-- " + parts.joined(separator: ", ")))
            if quiet && includeDocument, let document {
                for line in JSONWriter.string(document, pretty: true).split(separator: "\n") {
                    plainLine(Sanitizer.line(String(line)))
                }
            }
        }
    }

    private mutating func plainLine(_ text: String) {
        var text = text
        text.withUTF8 { writer.appendBytes($0) }
        writer.appendRaw(0x0A)
    }
}

/// One poll as `tail` shows it: a live poll of `tail --poll`, or an archived one (`replay`).
struct TailPoll {
    var status: Int?
    var wireBytes: Int64
    var bodyBytes: Int
    var changed: Bool
    var patch: JSONPatch
    var patchBytes: Int
    var skipped = 0
    var document: JSONValue?
    var error: String?

    init(
        status: Int?, wireBytes: Int64, bodyBytes: Int, changed: Bool, patch: JSONPatch, patchBytes: Int,
        document: JSONValue?
    ) {
        self.status = status
        self.wireBytes = wireBytes
        self.bodyBytes = bodyBytes
        self.changed = changed
        self.patch = patch
        self.patchBytes = patchBytes
        self.document = document
    }

    init(_ poll: PollConnection.Poll) {
        self.init(
            status: poll.status, wireBytes: poll.wireBytes, bodyBytes: poll.bodyBytes, changed: poll.changed,
            patch: poll.patch, patchBytes: poll.patchBytes, document: poll.document?.value)
        skipped = poll.skipped
        error = poll.error
    }
}
