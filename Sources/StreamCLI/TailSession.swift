import StreamCore

/// Reader and consumer on one thread: for tests and small inputs.
struct TailSession {
    var reader: TailReader
    var consumer: TailConsumer

    init(renderer: TailRenderer, maxEventBytes: Int = 16 << 20) {
        reader = TailReader(maxEventBytes: maxEventBytes)
        consumer = TailConsumer(renderer: renderer)
    }

    mutating func feed(_ bytes: [UInt8]) {
        let batch = bytes.withUnsafeBufferPointer { reader.read($0) }
        consumer.consume(batch)
    }

    mutating func finish() {
        consumer.consume(reader.finish())
        consumer.finish()
    }

    var renderer: TailRenderer {
        get { consumer.renderer }
        set { consumer.renderer = newValue }
    }
}
