/// A growable stack of values that hands out its top elements as an exact-size `Array` by
/// moving them (no retain/release per element, no regrowth of the result).
///
/// The parser pushes the elements of every container here while it parses them, then moves
/// them into one right-sized array: one allocation per container instead of one per doubling.
final class ScratchStack<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    @inline(__always)
    func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (storage + count).initialize(to: element)
        count += 1
    }

    /// The element at `index` (for duplicate-key checks).
    @inline(__always)
    subscript(index: Int) -> Element {
        get { storage[index] }
        _modify { yield &storage[index] }
    }

    /// Moves the elements from `base` to the top into a new array and pops them.
    /// (Appending moved elements to a reserved array: `Array(unsafeUninitializedCapacity:)`
    /// goes through an unspecialized runtime path that looks the array type's metadata up on
    /// every call, which costs more than these appends.)
    @inline(__always)
    func popArray(from base: Int) -> [Element] {
        let n = count - base
        guard n > 0 else { return [] }
        var result: [Element] = []
        result.reserveCapacity(n)
        for i in base..<count { result.append((storage + i).move()) }
        count = base
        return result
    }

    /// Drops everything above `base` (after an error).
    func truncate(to base: Int) {
        guard count > base else { return }
        (storage + base).deinitialize(count: count - base)
        count = base
    }

    private func grow() {
        let newCapacity = capacity * 2
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newStorage.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }
}
