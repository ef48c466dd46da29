#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable stack of values that hands out its top elements as an exact-size `Array` by
/// moving them (no retain/release per element, no regrowth of the result).
///
/// The parser pushes the elements of every container here while it parses them, then moves
/// them into one right-sized array: one allocation per container instead of one per doubling.
///
/// Its memory is charged to the parse's `MemoryBudget` as pushes reach it, a quarter more at
/// a time (so the charge follows the pages touched, not the capacity reserved). It grows with
/// `realloc`, which moves the pages of a large block instead of copying them (the elements are
/// bitwise movable: no weak references). A large container's elements are handed over a
/// megabyte at a time and the pages they leave are given back (`MADV_DONTNEED`) and credited,
/// so that a list of a million elements is in memory once while it becomes an array, not twice.
final class ScratchStack<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0
    /// How many elements' storage the budget has paid for; the first `initialCapacity` are free.
    private var paidFor: Int
    private let initialCapacity: Int

    private static var stride: Int { MemoryLayout<Element>.stride }
    /// Containers of at least this many bytes give their pages back as they are moved out.
    private static var releaseBytes: Int { 64 << 10 }
    private static var pageSize: Int { 4096 }

    init(capacity: Int = 256) {
        self.capacity = capacity
        initialCapacity = capacity
        paidFor = capacity
        storage = malloc(capacity * Self.stride)!.bindMemory(to: Element.self, capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        free(storage)
    }

    /// Pushes `element`; false, with nothing pushed, when the budget refuses more storage.
    @inline(__always)
    func push(_ element: consuming Element, charging budget: inout MemoryBudget) -> Bool {
        if count == paidFor, !payForMore(&budget) { return false }
        (storage + count).initialize(to: element)
        count += 1
        return true
    }

    /// The element at `index` (for duplicate-key checks).
    @inline(__always)
    subscript(index: Int) -> Element {
        get { storage[index] }
        _modify { yield &storage[index] }
    }

    /// Moves the elements from `base` to the top into a new array and pops them, charging the
    /// array to `budget` (less the pages given back); nil, with nothing popped, when it refuses.
    /// (Appending moved elements to a reserved array: `Array(unsafeUninitializedCapacity:)`
    /// goes through an unspecialized runtime path that looks the array type's metadata up on
    /// every call, which costs more than these appends.)
    @inline(__always)
    func popArray(from base: Int, charging budget: inout MemoryBudget) -> [Element]? {
        let n = count - base
        guard n > 0 else { return [] }
        if n * Self.stride >= Self.releaseBytes { return popLargeArray(from: base, charging: &budget) }
        guard budget.charge(MemoryBudget.array(count: n, stride: Self.stride)) else { return nil }
        var result: [Element] = []
        result.reserveCapacity(n)
        for i in base..<count { result.append((storage + i).move()) }
        count = base
        return result
    }

    /// Drops everything above `base`, giving large regions back as `popArray` does.
    @inline(__always)
    func truncate(to base: Int, crediting budget: inout MemoryBudget) {
        guard count > base else { return }
        (storage + base).deinitialize(count: count - base)
        if (count - base) * Self.stride >= Self.releaseBytes {
            let release = releasable(from: base)
            giveBack(release.pages)
            budget.credit(release.credit)
            paidFor = release.paidFor
        }
        count = base
    }

    // MARK: Memory

    @inline(never)
    private func payForMore(_ budget: inout MemoryBudget) -> Bool {
        let step = max(initialCapacity, count / 4)
        guard budget.charge(step * Self.stride) else { return false }
        paidFor = count + step
        if paidFor > capacity {
            let newCapacity = max(paidFor, capacity * 2)
            storage = realloc(storage, newCapacity * Self.stride)!.bindMemory(to: Element.self, capacity: newCapacity)
            capacity = newCapacity
        }
        return true
    }

    @inline(never)
    private func popLargeArray(from base: Int, charging budget: inout MemoryBudget) -> [Element]? {
        let n = count - base
        let release = releasable(from: base)
        budget.credit(release.credit)
        guard budget.charge(MemoryBudget.array(count: n, stride: Self.stride)) else { return nil }
        var result: [Element] = []
        result.reserveCapacity(n)
        moveReleasing(from: base, pages: release.pages) { elements, n in
            for j in 0..<n { result.append((elements + j).move()) }
        }
        paidFor = release.paidFor
        count = base
        return result
    }

    /// The whole pages the elements from `base` up occupy, the number of elements still paid
    /// for once they are given back, and the credit for the rest.
    private func releasable(from base: Int) -> (pages: Range<Int>, paidFor: Int, credit: Int) {
        let start = Int(bitPattern: storage + base)
        let end = Int(bitPattern: storage + count)
        let first = (start + Self.pageSize - 1) & ~(Self.pageSize - 1)
        let last = end & ~(Self.pageSize - 1)
        guard first < last else { return (0..<0, paidFor, 0) }
        // Elements from the one the first page starts in are no longer in memory.
        let kept = max(initialCapacity, (first - Int(bitPattern: storage)) / Self.stride)
        guard kept < paidFor else { return (first..<last, paidFor, 0) }
        return (first..<last, kept, (paidFor - kept) * Self.stride)
    }

    /// Hands the elements from `base` up to `take` (which moves them out) a megabyte at a time,
    /// giving back each whole page of `pages` once it is emptied.
    private func moveReleasing(
        from base: Int, pages: Range<Int>, _ take: (UnsafeMutablePointer<Element>, Int) -> Void
    ) {
        let chunk = max(1, (1 << 20) / Self.stride)
        var given = pages.lowerBound
        var i = base
        while i < count {
            let end = min(count, i + chunk)
            take(storage + i, end - i)
            i = end
            let emptied = min(pages.upperBound, Int(bitPattern: storage + end) & ~(Self.pageSize - 1))
            if emptied > given {
                giveBack(given..<emptied)
                given = emptied
            }
        }
    }

    private func giveBack(_ pages: Range<Int>) {
        guard !pages.isEmpty else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: pages.lowerBound), pages.count, Int32(MADV_DONTNEED))
    }
}

extension ScratchStack where Element: BitwiseCopyable {
    /// Appends the elements from `base` to the top to `array` and pops them, charging what
    /// `array` grows by to `budget`; false, with nothing popped, when it refuses. Large regions
    /// give their pages back as they are copied out, as `popArray`'s do.
    @inline(__always)
    func popAppending(from base: Int, to array: inout [Element], charging budget: inout MemoryBudget) -> Bool {
        let n = count - base
        if n * Self.stride >= Self.releaseBytes { return popAppendingLarge(from: base, to: &array, charging: &budget) }
        guard budget.charge(n &* Self.stride) else { return false }
        array.append(contentsOf: UnsafeBufferPointer(start: storage + base, count: n))
        count = base
        return true
    }

    @inline(never)
    private func popAppendingLarge(
        from base: Int, to array: inout [Element], charging budget: inout MemoryBudget
    ) -> Bool {
        let release = releasable(from: base)
        budget.credit(release.credit)
        guard budget.charge((count - base) * Self.stride) else { return false }
        array.reserveCapacity(array.count + count - base)
        moveReleasing(from: base, pages: release.pages) { elements, n in
            array.append(contentsOf: UnsafeBufferPointer(start: elements, count: n))
        }
        paidFor = release.paidFor
        count = base
        return true
    }
}
