import Foundation

/// The consuming thread of `tail`. Owns the consumer and writes to the output until `join`,
/// after which both belong to the caller again.
final class TailWorker: @unchecked Sendable {  // `consumer` and `output` are touched by the worker thread only, until `join`
    let queue = BatchQueue<TailBatch>(capacity: 4)
    /// Batches already consumed, handed back to the reading thread to be freed there.
    let consumed = BatchQueue<TailBatch>(capacity: Int.max)
    private var consumer: TailConsumer
    private let output: OutputSink
    private let done = DispatchSemaphore(value: 0)

    init(consumer: TailConsumer, output: OutputSink) {
        self.consumer = consumer
        self.output = output
    }

    func start() {
        let thread = Thread { [self] in
            while let batch = queue.take() {
                consumer.consume(batch)
                consumed.put(consume batch)
                if !consumer.renderer.isEmpty { output.write(consumer.renderer.take()) }
                output.flush()  // per read, so a live pipe shows each event as it arrives
            }
            done.signal()
        }
        thread.stackSize = 8 << 20  // deep documents recurse (nesting is limited to 512)
        thread.start()
    }

    /// Ends the input, waits for the worker to drain it, and hands the consumer back.
    func join() -> TailConsumer {
        queue.finish()
        done.wait()
        return consumer
    }
}
