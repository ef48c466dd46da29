import CCurl
import Foundation
import StreamCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The engine's one libcurl loop: a thread that owns the multi handle and every easy handle,
/// driven by `curl_multi_socket_action` over epoll, so thousands of idle streams cost nothing
/// until a socket is ready or a timer is due. Other threads only queue commands (start,
/// cancel, shutdown) and wake the loop through an eventfd; nothing but this thread touches curl.
public final class CurlLoop: @unchecked Sendable {  // mutable state is owned by the loop thread; `inbox` is locked
    let multi: UnsafeMutableRawPointer
    private let epollFD: Int32
    private let wakeFD: Int32
    private let inbox = LoopInbox<CurlLoop>()
    var transfers: [UnsafeMutableRawPointer: HTTPTransfer] = [:]
    private var timerDeadline: Moment?
    private var running = true
    private let stopped = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)
    /// The loop's thread, once it runs (for `isLoopThread`).
    private let loopThread = Mutex<pthread_t?>(nil)
    let clock = SystemTimeSource()
    /// The CA file from the environment, trusted by every transfer without one of its own.
    let environmentCAFile: CAFile?

    /// `environment`: where `CURL_CA_BUNDLE` and `SSL_CERT_FILE` are read from.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        environmentCAFile = CAFile.fromEnvironment(environment)
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let multi = curl_multi_init() else { throw EngineError("cannot create a libcurl multi handle") }
        self.multi = multi
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epollFD >= 0, wakeFD >= 0 else { throw EngineError("cannot create the event loop: \(String(cString: strerror(errno)))") }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)

        let context = Unmanaged.passUnretained(self).toOpaque()
        ccurl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, context)
        ccurl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, context)
        ccurl_multi_setopt_socket_callback(multi) { _, socket, what, user, _ in
            Unmanaged<CurlLoop>.fromOpaque(user!).takeUnretainedValue().socketChanged(socket, what: what)
            return 0
        }
        ccurl_multi_setopt_timer_callback(multi) { _, timeout, user in
            Unmanaged<CurlLoop>.fromOpaque(user!).takeUnretainedValue().timerChanged(timeoutMilliseconds: timeout)
            return 0
        }
        let thread = Thread { [self] in run() }
        thread.name = "streamtop-engine"
        thread.start()
    }

    /// Whether the caller runs on the loop's thread, where waiting for a transfer would wait forever.
    package var isLoopThread: Bool {
        guard let thread = loopThread.withLock({ $0 }) else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    // MARK: Commands from any thread

    public func start(_ transfer: HTTPTransfer) {
        submit { $0.begin(transfer) }
    }

    /// Resumes a transfer its receiver paused (`DataDecision.pause`).
    public func resume(_ transfer: HTTPTransfer) {
        submit { _ in
            guard transfer.paused, let easy = transfer.easy else { return }
            transfer.paused = false
            curl_easy_pause(easy, CURLPAUSE_CONT)
        }
    }

    public func cancel(_ transfer: HTTPTransfer) {
        submit { $0.finish(transfer, outcome: .failed("cancelled")) }
    }

    /// Cancels every transfer and ends the loop; waits until it has.
    public func shutdown() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        submit { $0.running = false }
        finished.wait()
    }

    private func submit(_ work: @escaping @Sendable (CurlLoop) -> Void) {
        guard inbox.post(work) else {
            work(self)  // the loop has ended
            return
        }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: The loop (engine thread)

    private func run() {
        loopThread.withLock { $0 = pthread_self() }
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        var stillRunning: Int32 = 0
        while running {
            var timeout: Int32 = 1000
            if let deadline = timerDeadline {
                timeout = Int32(max(0, min(1000, (deadline - clock.now()).nanoseconds / 1_000_000)))
            }
            let count = events.withUnsafeMutableBufferPointer { epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout) }
            for index in 0..<max(0, Int(count)) {
                let fd = events[index].data.fd
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    continue
                }
                var flags: Int32 = 0
                let ready = events[index].events
                if ready & EPOLLIN.rawValue != 0 { flags |= CURL_CSELECT_IN }
                if ready & EPOLLOUT.rawValue != 0 { flags |= CURL_CSELECT_OUT }
                if ready & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { flags |= CURL_CSELECT_ERR }
                curl_multi_socket_action(multi, curl_socket_t(fd), flags, &stillRunning)
            }
            if let deadline = timerDeadline, clock.now() >= deadline {
                timerDeadline = nil
                curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &stillRunning)
            }
            collectCompleted()
            for work in inbox.drain() {
                work(self)
            }
            collectCompleted()
        }
        for transfer in Array(transfers.values) { finish(transfer, outcome: .failed("the engine stopped")) }
        curl_multi_cleanup(multi)
        // The descriptors close in deinit: a thread that posted before the inbox closed may
        // still be writing to the eventfd, and it holds a reference to this loop meanwhile.
        // Work queued while the loop was ending still runs: transfers started now fail at once.
        for work in inbox.close() {
            work(self)
        }
        finished.signal()
    }

    deinit {
        close(epollFD)
        close(wakeFD)
    }

    private func socketChanged(_ socket: curl_socket_t, what: Int32) {
        var event = epoll_event()
        event.data.fd = socket
        switch what {
        case CURL_POLL_REMOVE:
            epoll_ctl(epollFD, EPOLL_CTL_DEL, socket, nil)
        default:
            event.events = (what & CURL_POLL_IN != 0 ? EPOLLIN.rawValue : 0) | (what & CURL_POLL_OUT != 0 ? EPOLLOUT.rawValue : 0)
            if epoll_ctl(epollFD, EPOLL_CTL_MOD, socket, &event) != 0 {
                epoll_ctl(epollFD, EPOLL_CTL_ADD, socket, &event)
            }
        }
    }

    private func timerChanged(timeoutMilliseconds: Int) {
        timerDeadline = timeoutMilliseconds < 0 ? nil : clock.now() + .milliseconds(timeoutMilliseconds)
    }

    private func begin(_ transfer: HTTPTransfer) {
        guard running else {
            transfer.complete(.failed("the engine stopped"))
            return
        }
        guard let easy = curl_easy_init() else {
            transfer.complete(.failed("cannot create a libcurl handle"))
            return
        }
        transfer.easy = easy
        let request = transfer.request
        transfer.url = request.url
        transfer.startedAt = clock.now()
        ccurl_easy_setopt_string(easy, CURLOPT_URL, request.url)
        // Only http and https, here and (belt and braces: the engine follows redirects itself)
        // on any redirect libcurl would follow.
        ccurl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        ccurl_easy_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        if let body = request.postBody {
            ccurl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, body.count)
            // COPYPOSTFIELDS: libcurl keeps its own copy, so the bytes need not outlive this call.
            body.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    _ = ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: chars.baseAddress))
                }
            }
        }
        if let method = request.method { ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method) }
        if let socket = request.unixSocket { ccurl_easy_setopt_string(easy, CURLOPT_UNIX_SOCKET_PATH, socket) }
        if let signing = request.awsSigV4 { CurlLoop.sign(easy, with: signing) }
        ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        // Thousands of mostly idle streams: keep each handle's buffers small (GETs upload nothing).
        ccurl_easy_setopt_long(easy, CURLOPT_UPLOAD_BUFFERSIZE, 16 << 10)
        ccurl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)  // followed by `follow`, hop by hop
        ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        transfer.caFile = CAFile.forRequest(request.caFile, environment: environmentCAFile)
        if let caFile = transfer.caFile { ccurl_easy_setopt_string(easy, CURLOPT_CAINFO, caFile.path) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
        transfer.errorBuffer = errorBuffer
        ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        ccurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)
        ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout.nanoseconds / 1_000_000))
        if let timeout = request.timeout { ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(timeout.nanoseconds / 1_000_000)) }
        if request.acceptEncoding { ccurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "") }
        if request.freshConnection {
            ccurl_easy_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1)
            ccurl_easy_setopt_long(easy, CURLOPT_FORBID_REUSE, 1)
        }
        setHeaders(transfer, easy: easy)

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        ccurl_easy_setopt_pointer(easy, CURLOPT_PRIVATE, context)
        ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        ccurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<HTTPTransfer>.fromOpaque(user!).takeUnretainedValue()
            let length = size * count
            if transfer.redirectStatus != nil { return length }  // a redirect's body: discarded
            CurlLoop.noteResponse(transfer)
            CurlLoop.noteWireBytes(transfer)
            switch transfer.onData?(UnsafeRawBufferPointer(start: data, count: length)) ?? .accept {
            case .accept:
                transfer.counts.payloadBytes += Int64(length)
                return length
            case .pause:
                transfer.paused = true
                return ccurl_writefunc_pause()  // the same bytes come again after resume
            case .abort:
                transfer.aborted = true
                return 0  // 0 aborts the transfer
            }
        }
        ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        ccurl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<HTTPTransfer>.fromOpaque(user!).takeUnretainedValue()
            let length = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                transfer.responseHeaders = []  // a new response (after a 100)
                transfer.responseHeaderBytes = 0
                transfer.inHeaders = true
            } else if line == "\r\n" || line == "\n" {
                guard transfer.inHeaders else { return length }  // after trailers
                transfer.inHeaders = false
                CurlLoop.headersEnded(transfer)
            } else if let colon = line.firstIndex(of: ":") {
                let value = line[line.index(after: colon)...].trimmingCharacters
                transfer.responseHeaders.append((line[..<colon].lowercased(), value))
            }
            // Kept, so bounded: libcurl limits each line, not how many come.
            transfer.responseHeaderBytes += length
            if transfer.responseHeaderBytes > HTTPTransfer.maxResponseHeaderBytes {
                transfer.failure = .headersTooLarge(limit: HTTPTransfer.maxResponseHeaderBytes)
                return 0  // ends the transfer
            }
            return length
        }
        transfers[easy] = transfer
        curl_multi_add_handle(multi, easy)
    }

    /// The bytes on the wire so far (headers, and the body as received, before decoding),
    /// read in the write callback: libcurl has counted a piece by the time it hands it over.
    /// (Its progress callback comes after the data, so a stream that sent one event and then
    /// waited showed no wire bytes for it until its next; and thousands of transfers calling
    /// it at least once a second cost more than these two reads.)
    static func noteWireBytes(_ transfer: HTTPTransfer) {
        guard let easy = transfer.easy else { return }
        var body: curl_off_t = 0
        var headers = 0
        ccurl_easy_getinfo_off_t(easy, CURLINFO_SIZE_DOWNLOAD_T, &body)
        ccurl_easy_getinfo_long(easy, CURLINFO_HEADER_SIZE, &headers)
        transfer.bodyWireBytes = Int64(body)
        transfer.headerBytes = Int64(headers)
    }

    /// Reports the response once, when its headers are complete.
    static func noteResponse(_ transfer: HTTPTransfer) {
        guard transfer.response == nil, let easy = transfer.easy else { return }
        var status = 0
        ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var type: UnsafeMutablePointer<CChar>?
        ccurl_easy_getinfo_string(easy, CURLINFO_CONTENT_TYPE, &type)
        let response = HTTPTransfer.Response(status: status, contentType: type.map { String(cString: $0) })
        transfer.response = response
        transfer.onResponse?(response)
    }

    private func collectCompleted() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle, let transfer = transfers[easy] else { continue }
            let code = message.pointee.data.result
            if let failure = transfer.failure {
                finish(transfer, outcome: .failed(failure.message))
            } else if code == CURLE_OK && transfer.redirectStatus != nil {
                redirected(transfer, easy: easy)
            } else if code == CURLE_OK {
                finish(transfer, outcome: .completed)
            } else if transfer.aborted {
                finish(transfer, outcome: .failed("aborted by the receiver"))
            } else {
                var systemError = 0
                ccurl_easy_getinfo_long(easy, CURLINFO_OS_ERRNO, &systemError)
                if code == CURLE_COULDNT_CONNECT && systemError == 0 && CurlLoop.outOfFileDescriptors() {
                    // libcurl keeps no error when the socket itself could not be made.
                    systemError = Int(EMFILE)
                }
                let message = CurlLoop.describe(code, transfer: transfer, systemError: Int32(clamping: systemError))
                finish(transfer, outcome: .failed(message))
            }
        }
    }

    func finish(_ transfer: HTTPTransfer, outcome: HTTPTransfer.Outcome) {
        guard let easy = transfer.easy, transfers.removeValue(forKey: easy) != nil else { return }
        if outcome == .completed { CurlLoop.noteResponse(transfer) }
        transfer.counts.wireBytes = transfer.earlierHopsWireBytes + CurlLoop.hopWireBytes(easy)
        curl_multi_remove_handle(multi, easy)
        curl_easy_cleanup(easy)
        transfer.easy = nil
        freeHeaders(transfer)
        transfer.errorBuffer?.deallocate()
        transfer.errorBuffer = nil
        transfer.complete(outcome)
    }
}

/// An engine failure that is not about one stream.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
