import Foundation

/// A bounded FIFO between two threads: `put` waits while it is full, so a fast producer cannot
/// run ahead of a slow consumer by more than `capacity` items; `take` waits while it is empty
/// and returns nil once the producer has called `finish` and everything was taken.
final class BatchQueue<Item: Sendable>: @unchecked Sendable {  // all state is guarded by `condition`
    private let condition = NSCondition()
    private var items: [Item] = []
    private var head = 0
    private var finished = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func put(_ item: Item) {
        condition.lock()
        while items.count - head >= capacity { condition.wait() }
        items.append(item)
        condition.broadcast()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Everything queued now, without waiting.
    func drain() -> [Item] {
        condition.lock()
        defer { condition.unlock() }
        let drained = Array(items[head...])
        items.removeAll(keepingCapacity: true)
        head = 0
        condition.broadcast()
        return drained
    }

    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !finished { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        condition.broadcast()
        return item
    }
}
