import StreamCore
import StreamEngine

/// The monitor's logic without a terminal: it reads the engine through `MonitorLink`, keeps
/// the table sorted, filtered and the selection on the same stream, turns keys into state
/// changes and engine commands, and notices streams that break. Used on the main thread only.
public final class MonitorController {
    public private(set) var state = MonitorState()
    /// The rows shown, filtered and sorted.
    public private(set) var rows: [StreamFigures] = []
    /// Every stream, by id order.
    public private(set) var snapshots: [StreamSnapshot] = []
    /// The state directory's disk use, read with the snapshots.
    public private(set) var disk: DiskStatus?
    /// The engine in another process the monitor is attached to (nil: its own engine).
    public private(set) var attachment: MonitorAttachment?
    /// Savings of the rows, the groups and all together, from the snapshots.
    public private(set) var savings = SavingsFigures()
    /// Streams in a broken incident (failed or stalled since they were last open).
    public private(set) var brokenStreams: Set<String> = []
    /// Set when something deserves the bell; the app rings it and clears it.
    public var bellPending = false
    public var bellEnabled = true
    /// Rows the table shows per page (set by the layout of the last frame).
    public var pageSize = 10
    /// Lines the log pane and the detail view show per page.
    public var logPageSize = 10
    /// Lines of help, and how many it shows at once (set by the last frame that drew it).
    public var helpLineCount = 0
    public var helpPageSize = 10
    /// Where the last frame drew the stream table (nil: it was not shown); the mouse reads it.
    package var tableArea: Rect?

    /// Only the controller asks the link: for a frame, only what never waits (what may wait is
    /// fetched off the main thread by `fetches`); the views draw plain values.
    private let link: MonitorLink
    /// The selected stream's history, document and log, as they arrived last (fetched off the
    /// main thread by `fetches`).
    public private(set) var details = FetchedDetails()
    let fetches: SelectedStreamFetches
    private let time: any TimeSource
    /// The status line's message as last seen, and since when it is shown.
    private var shownStatus: MonitorState.StatusMessage?
    private var shownSince = Moment(nanoseconds: 0)
    /// How long a message stays; an error stays until a key is pressed after `errorReadAfter`.
    static let messageLifetime: Duration = .seconds(5)
    static let errorReadAfter: Duration = .seconds(2)
    private var version = -1
    private var alertSequence = 0
    private var lastAgeSecond: Int64 = -1
    public private(set) var now: Moment
    /// Theme names to cycle through with `t`, and what to do when one is chosen.
    public var themeNames: [String] = ["default"]
    public var onThemeChange: ((String) -> Void)?

    public init(link: MonitorLink, time: any TimeSource) {
        self.link = link
        self.time = time
        now = time.now()
        fetches = SelectedStreamFetches(link: link)
    }

    public func setTheme(_ name: String) { state.themeName = name }

    /// Puts a message in the status line.
    public func setStatus(_ text: String, kind: MonitorState.StatusMessage.Kind) {
        state.status = .init(text: Sanitizer.line(text), kind: kind, stream: nil)
    }

    // MARK: Data

    /// Reads the engine when its version moved (and once a second, as ages move). Returns
    /// whether the screen needs drawing.
    @discardableResult
    public func refresh() -> Bool {
        now = time.now()
        let second = now.nanoseconds / 1_000_000_000
        var changed = false
        if state.frozen { return expireStatus() }
        // The snapshots are copied and sorted only when the version moved.
        if link.version != version {
            let (latestVersion, latest) = link.latest()
            version = latestVersion
            snapshots = latest
            noticeBrokenStreams()
            changed = true
        }
        for alert in link.alerts(after: alertSequence) {
            alertSequence = alert.sequence
            state.status = .init(text: alert.message, kind: alert.recovered ? .info : .error, stream: alert.stream.isEmpty ? nil : alert.stream)
            changed = true
        }
        if second != lastAgeSecond {
            lastAgeSecond = second
            changed = true
        }
        if expireStatus() { changed = true }
        if changed {
            disk = link.disk
            attachment = link.attachment
        }
        if changed { rebuildRows() }
        // What the open views show beyond the snapshots is asked for here and fetched elsewhere.
        let open = state.showingDetail || state.logOpen
        let (details, moved) = fetches.update(
            selected: open ? snapshots.first { $0.id == state.selectedID } : nil,
            detail: state.showingDetail, logPane: state.logOpen, now: now)
        self.details = details
        return changed || moved
    }

    /// Notes when the status line's message changed; clears a message that is not an error
    /// after `messageLifetime`. Returns whether it cleared one.
    private func expireStatus() -> Bool {
        if state.status != shownStatus {
            shownStatus = state.status
            shownSince = now
            return false
        }
        guard let status = state.status, status.kind != .error, now - shownSince >= MonitorController.messageLifetime
        else { return false }
        state.status = nil
        shownStatus = nil
        return true
    }

    /// A key read an error that has been shown for a while: it goes (its stream's recovery,
    /// or a newer message, would have replaced it anyway).
    private func readError() {
        guard let status = state.status, status.kind == .error, status == shownStatus,
              now - shownSince >= MonitorController.errorReadAfter else { return }
        state.status = nil
        shownStatus = nil
    }

    /// A stream whose incident begins (its first error since it was healthy) rings the bell
    /// once and says why in the status line; when the incident is over, the message clears.
    private func noticeBrokenStreams() {
        var stillBroken: Set<String> = []
        for snapshot in snapshots {
            let id = snapshot.id
            let wasBroken = brokenStreams.contains(id)
            if snapshot.status.isBroken {
                stillBroken.insert(id)
                if !wasBroken {
                    if bellEnabled { bellPending = true }
                    let text = MonitorController.brokenText(snapshot)
                    self.state.status = .init(text: text, kind: .error, stream: id)
                }
            } else if wasBroken, self.state.status?.stream == id {
                let stopped = !snapshot.status.state.isRunning
                let text = "\(Sanitizer.line(snapshot.name)) \(stopped ? "stopped" : "recovered")"
                self.state.status = .init(text: text, kind: .info, stream: nil)
            }
        }
        brokenStreams = stillBroken
    }

    /// `Quotes failed: HTTP 503`; `Quotes stalled: no data for 30s`, not `stalled: stalled:`.
    static func brokenText(_ snapshot: StreamSnapshot) -> String {
        let name = Sanitizer.line(snapshot.name)
        let state = snapshot.status.state.name
        guard let error = snapshot.status.lastError.map(Sanitizer.line) else { return "\(name) \(state)" }
        if error.lowercased().hasPrefix(state) { return "\(name) \(error)" }
        return "\(name) \(state): \(error)"
    }

    private func rebuildRows() {
        savings = SavingsFigures(snapshots)
        let savings = self.savings
        let needle = state.filter.lowercased()
        // Work on indices into `snapshots`: a snapshot is a few hundred bytes, and copying or
        // moving thousands of them in a sort costs more than everything else in a frame.
        var kept: [Int] = []
        kept.reserveCapacity(snapshots.count)
        for (index, snapshot) in snapshots.enumerated() {
            if let group = state.groupFilter, snapshot.group != group { continue }
            if !needle.isEmpty {
                let haystack = [snapshot.name, snapshot.url, snapshot.id, snapshot.status.state.name, snapshot.mode.rawValue].joined(separator: "\u{1}").lowercased()
                guard haystack.contains(needle) else { continue }
            }
            kept.append(index)
        }
        // Sort keys are computed once per row, not once per comparison.
        let column = state.sort
        let reversed = state.reversed
        let snapshots = self.snapshots
        func figures(_ index: Int) -> StreamFigures {
            let snapshot = snapshots[index]
            return StreamFigures(snapshot: snapshot, savings: savings.savings(of: snapshot), now: now)
        }
        func tie(_ a: Int, _ b: Int) -> Bool { snapshots[a].id < snapshots[b].id }
        switch column {
        case .name, .mode:
            var keys: [[UInt8]] = Array(repeating: [], count: snapshots.count)
            for index in kept {
                keys[index] = textKey(snapshots[index], by: column)
            }
            kept.sort { a, b in
                if keys[a] == keys[b] { return tie(a, b) }
                return keys[a].lexicographicallyPrecedes(keys[b]) != reversed
            }
        default:
            // Largest first; a missing value after every present one (before reversing).
            var keys = [Double](repeating: -.infinity, count: snapshots.count)
            for index in kept {
                if let value = MonitorController.numberKey(figures(index), by: column) { keys[index] = value }
            }
            kept.sort { a, b in
                if keys[a] == keys[b] { return tie(a, b) }
                return (keys[a] > keys[b]) != reversed
            }
        }
        let previousIndex = rows.firstIndex { $0.snapshot.id == state.selectedID } ?? 0
        rows.removeAll(keepingCapacity: true)
        for index in kept { rows.append(figures(index)) }
        if let selected = state.selectedID, rows.contains(where: { $0.snapshot.id == selected }) {
            // The selection stays on its stream.
        } else {
            state.selectedID = rows.isEmpty ? nil : rows[min(previousIndex, rows.count - 1)].snapshot.id
        }
        keepSelectionVisible()
    }

    /// Lowercased names by stream id, kept while the name stays the same.
    private var nameKeys: [String: (name: String, key: [UInt8])] = [:]

    /// What the name and mode columns sort by: lowercased UTF-8, compared byte by byte (code
    /// point order, and far cheaper than comparing Strings with non-ASCII text thousands of
    /// times a frame).
    private func textKey(_ snapshot: StreamSnapshot, by column: StreamColumn) -> [UInt8] {
        guard column == .name else { return Array(snapshot.mode.rawValue.utf8) }
        if let cached = nameKeys[snapshot.id], cached.name == snapshot.name { return cached.key }
        let key = Array(snapshot.name.lowercased().utf8)
        nameKeys[snapshot.id] = (snapshot.name, key)
        return key
    }

    /// What the other columns sort by, largest first (the state column's is the health sort:
    /// streams in an incident first, the longest first); nil sorts after every present value.
    private static func numberKey(_ figures: StreamFigures, by column: StreamColumn) -> Double? {
        figures.sortValue(column)
    }

    /// Broken states first: they are what a person looks for.
    static func stateRank(_ state: StreamState) -> Int {
        switch state {
        case .failed: return 0
        case .stalled: return 1
        case .reconnecting: return 2
        case .connecting, .waiting: return 3
        case .open: return 4
        case .idle: return 5
        case .stoppedByServer: return 6
        case .stopped: return 7
        }
    }

    public var selectedIndex: Int? { rows.firstIndex { $0.snapshot.id == state.selectedID } }
    public var selected: StreamSnapshot? { rows.first { $0.snapshot.id == state.selectedID }?.snapshot }

    func select(index: Int) {
        guard !rows.isEmpty else { return }
        state.selectedID = rows[max(0, min(rows.count - 1, index))].snapshot.id
        state.logTop = nil
        state.detailScroll = 0
        keepSelectionVisible()
    }

    /// Selects row `index` of the group view (kept within its rows).
    private func selectGroup(_ index: Int) {
        state.groupSelection = max(0, min(index, savings.groups.count - 1))
    }

    private func keepSelectionVisible() {
        guard let index = selectedIndex else { state.top = 0; return }
        let page = max(1, pageSize)
        if index < state.top { state.top = index }
        if index >= state.top + page { state.top = index - page + 1 }
        state.top = max(0, min(state.top, max(0, rows.count - page)))
    }

    // MARK: Keys

    public enum Effect: Equatable {
        case none
        case redraw
        case quit
    }

    /// What the key does on the current screen.
    public func handle(_ key: Key) -> Effect {
        if key == .resize { keepSelectionVisible(); return .redraw }
        // A key that closes a dialog has not read what the status line says behind it.
        if state.overlay == .none { readError() }
        switch state.overlay {
        case .help:
            return handleHelp(key)
        case .sortPicker(let selection):
            return handleSortPicker(key, selection: selection)
        case .form(var form):
            return handleForm(key, &form)
        case .confirmDelete(let id, let name):
            if key == .character("y") || key == .character("Y") {
                if let problem = link.remove(id: id) {
                    state.status = .init(text: "not deleted: \(problem)", kind: .error, stream: nil)
                } else {
                    state.status = .init(text: "deleted \(Sanitizer.line(name)) (its log and archive stay on disk)", kind: .info, stream: nil)
                }
            }
            state.overlay = .none
            state.showingDetail = false
            return .redraw
        case .confirmQuit:
            if key == .character("y") || key == .character("Y") || key == .character("q") { return .quit }
            state.overlay = .none
            return .redraw
        case .none:
            break
        }
        if state.editingFilter { return handleFilterTyping(key) }
        if state.editingLogSearch { return handleSearchTyping(key) }
        let context = state.keyContext
        guard let action = KeyMap.action(for: key, in: context) else {
            if key == .escape && (!state.filter.isEmpty || state.groupFilter != nil) {
                state.filter = ""
                state.groupFilter = nil
                rebuildRows()
                return .redraw
            }
            return .none
        }
        return perform(action, context: context)
    }

    func perform(_ action: Action, context: KeyContext) -> Effect {
        let index = selectedIndex ?? 0
        switch action {
        case .moveUp:
            switch context {
            case .table: select(index: index - 1)
            case .groups: selectGroup(state.groupSelection - 1)
            case .detail: state.detailScroll = max(0, state.detailScroll - 1)
            case .log: scrollLog(by: -1)
            }
        case .moveDown:
            switch context {
            case .table: select(index: index + 1)
            case .groups: selectGroup(state.groupSelection + 1)
            case .detail: state.detailScroll += 1
            case .log: scrollLog(by: 1)
            }
        case .pageUp:
            switch context {
            case .table: select(index: index - max(1, pageSize))
            case .groups: selectGroup(state.groupSelection - max(1, pageSize))
            case .detail: state.detailScroll = max(0, state.detailScroll - logPageSize)
            case .log: scrollLog(by: -max(1, logPageSize))
            }
        case .pageDown:
            switch context {
            case .table: select(index: index + max(1, pageSize))
            case .groups: selectGroup(state.groupSelection + max(1, pageSize))
            case .detail: state.detailScroll += logPageSize
            case .log: scrollLog(by: max(1, logPageSize))
            }
        case .home:
            switch context {
            case .detail: state.detailScroll = 0
            case .groups: selectGroup(0)
            default: select(index: 0)
            }
        case .end:
            switch context {
            case .detail: state.detailScroll = Int.max / 2
            case .groups: selectGroup(savings.groups.count - 1)
            default: select(index: rows.count - 1)
            }
        case .openDetail where context == .groups:
            guard savings.groups.indices.contains(state.groupSelection) else { return .none }
            let group = savings.groups[state.groupSelection].group
            state.groupFilter = group
            state.showingGroups = false
            rebuildRows()
            let text = "group \(Sanitizer.line(group)): its streams only; Esc shows every stream"
            state.status = .init(text: text, kind: .info, stream: nil)
        case .openDetail:
            guard selected != nil else { return .none }
            state.showingDetail = true
            state.detailScroll = 0
        case .back:
            if state.logOpen {
                state.logOpen = false
            } else if state.showingDetail {
                state.showingDetail = false
            } else {
                state.showingGroups = false
            }
        case .freeze:
            state.frozen.toggle()
            if !state.frozen { version = -1 }  // read everything again now
        case .groups:
            state.showingGroups.toggle()
            selectGroup(state.groupSelection)
        case .filter:
            state.editingFilter = true
        case .pickSort:
            state.overlay = .sortPicker(selection: StreamColumn.allCases.firstIndex(of: state.sort) ?? 0)
        case .reverseSort:
            state.reversed.toggle()
            rebuildRows()
        case .add:
            state.overlay = .form(.new())
        case .edit:
            guard let id = state.selectedID else { return .none }
            guard let spec = link.spec(id: id) else {
                guard attachment != nil else { return .none }
                // Over a tunnel the registry is on the other machine, and the API has no route for it.
                let text = "the settings of \(id) cannot be read from here; edit them where streamtop runs"
                state.status = .init(text: text, kind: .warning, stream: nil)
                return .redraw
            }
            state.overlay = .form(.editing(spec))
        case .toggleRunning:
            guard let stream = selected else { return .none }
            let problem = stream.status.state.isRunning ? link.stop(id: stream.id) : link.start(id: stream.id)
            let verb = stream.status.state.isRunning ? "stopping" : "starting"
            state.status = .init(text: problem ?? "\(verb) \(Sanitizer.line(stream.name))", kind: problem == nil ? .info : .warning, stream: nil)
        case .restart:
            guard let stream = selected else { return .none }
            link.restart(id: stream.id)
            state.status = .init(text: "restarting \(Sanitizer.line(stream.name))", kind: .info, stream: nil)
        case .delete:
            guard let stream = selected else { return .none }
            state.overlay = .confirmDelete(id: stream.id, name: stream.name)
        case .toggleLog:
            guard state.logOpen || selected != nil else { return .none }
            state.logOpen.toggle()
            state.logTop = nil
        case .nextTheme:
            let names = themeNames.isEmpty ? ["default"] : themeNames
            guard names.count > 1 else {
                let only = "only the theme \(names[0]); more go in ~/.config/streamtop/themes/NAME.theme"
                state.status = .init(text: only, kind: .info, stream: nil)
                return .redraw
            }
            let next = names[((names.firstIndex(of: state.themeName) ?? -1) + 1) % names.count]
            state.themeName = next
            onThemeChange?(next)
        case .help:
            state.helpTop = 0
            state.overlay = .help
        case .quit:
            // Attached: quitting detaches, and the streams run on in the engine's process.
            if attachment != nil { return .quit }
            let running = snapshots.filter { $0.status.state.isRunning }.count
            if running == 0 { return .quit }
            state.overlay = .confirmQuit(running: running)
        case .searchLog:
            state.editingLogSearch = true
            state.logSearch = ""
        case .nextMatch:
            findLogMatch(forward: true)
        case .previousMatch:
            findLogMatch(forward: false)
        case .logTop:
            state.logTop = 0
        case .logBottom:
            state.logTop = nil
        }
        return .redraw
    }

    // MARK: Log pane

    /// The selected stream's log lines as shown (time, level, kind, fields), oldest first, as
    /// fetched last: read back from the log file when the stream published since the last read
    /// (a stream publishes after anything it logs, and the file has the lines by then).
    public func logLines() -> [(text: String, level: LogEntry.Level)] {
        details.id == state.selectedID ? details.log.value?.lines ?? [] : []
    }

    private func scrollLog(by delta: Int) {
        let count = logLines().count
        let lastTop = max(0, count - max(1, logPageSize))
        let top = (state.logTop ?? lastTop) + delta
        // Scrolling back to the end follows the tail again.
        state.logTop = top >= lastTop ? nil : max(0, top)
    }

    private func findLogMatch(forward: Bool) {
        let needle = state.logSearch.lowercased()
        guard !needle.isEmpty else { return }
        let lines = logLines()
        guard !lines.isEmpty else { return }
        let start = state.logTop ?? max(0, lines.count - max(1, logPageSize))
        let order = forward ? Array((start + 1)..<(lines.count)) + Array(0...min(start, lines.count - 1)) : Array((0..<min(start, lines.count)).reversed()) + Array((start..<lines.count).reversed())
        if let found = order.first(where: { lines[$0].text.lowercased().contains(needle) }) {
            state.logTop = found
            state.status = nil
        } else {
            state.status = .init(text: "not found: \(state.logSearch)", kind: .warning, stream: nil)
        }
    }

    // MARK: Typing

    private func handleFilterTyping(_ key: Key) -> Effect {
        switch key {
        case .enter: state.editingFilter = false
        case .escape:
            state.editingFilter = false
            state.filter = ""
        default: if !key.edit(&state.filter) { return .none }
        }
        rebuildRows()
        return .redraw
    }

    private func handleSearchTyping(_ key: Key) -> Effect {
        switch key {
        case .enter:
            state.editingLogSearch = false
            findLogMatch(forward: true)
        case .escape:
            state.editingLogSearch = false
            state.logSearch = ""
        default: if !key.edit(&state.logSearch) { return .none }
        }
        return .redraw
    }

    /// Help scrolls with the moving keys; any other key closes it.
    private func handleHelp(_ key: Key) -> Effect {
        let last = max(0, helpLineCount - helpPageSize)
        switch key {
        case .up, .character("k"): state.helpTop -= 1
        case .down, .character("j"): state.helpTop += 1
        case .pageUp: state.helpTop -= max(1, helpPageSize - 1)
        case .pageDown, .character(" "): state.helpTop += max(1, helpPageSize - 1)
        case .home: state.helpTop = 0
        case .end: state.helpTop = last
        default: state.overlay = .none
        }
        state.helpTop = max(0, min(state.helpTop, last))
        return .redraw
    }

    private func handleSortPicker(_ key: Key, selection: Int) -> Effect {
        let count = StreamColumn.allCases.count
        switch key {
        case .up, .character("k"): state.overlay = .sortPicker(selection: (selection + count - 1) % count)
        case .down, .character("j"): state.overlay = .sortPicker(selection: (selection + 1) % count)
        case .home: state.overlay = .sortPicker(selection: 0)
        case .end: state.overlay = .sortPicker(selection: count - 1)
        case .enter:
            sort(by: StreamColumn.allCases[selection])
            state.overlay = .none
        case .escape, .character("q"), .character("s"), .function(6): state.overlay = .none
        default: return .none
        }
        return .redraw
    }

    /// Sorts by `column`; by the column already sorted by, the other way round.
    func sort(by column: StreamColumn) {
        if column == state.sort { state.reversed.toggle() } else { state.sort = column; state.reversed = false }
        rebuildRows()
    }

    private func handleForm(_ key: Key, _ form: inout StreamForm) -> Effect {
        switch key {
        case .escape:
            state.overlay = .none
            return .redraw
        case .tab, .down: form.next()
        case .backTab, .up: form.previous()
        case .enter:
            let base = form.editingID.flatMap { link.spec(id: $0) }
            if let spec = form.spec(base: base, newID: link.newID) {
                let problem = base == nil ? link.add(spec) : link.update(spec)
                if let problem {
                    form.problem = (nil, problem)
                } else {
                    state.overlay = .none
                    state.selectedID = spec.id
                    state.status = .init(text: "\(base == nil ? "registered" : "saved") \(Sanitizer.line(spec.name))", kind: .info, stream: nil)
                    return .redraw
                }
            }
        default: if !form.edit(key) { return .none }
        }
        state.overlay = .form(form)
        return .redraw
    }
}
