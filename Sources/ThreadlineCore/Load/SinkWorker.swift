import Dispatch
import Foundation

/// Runs one sink's writes on a serial queue, keeping the first error for the next call.
///
/// `@unchecked Sendable`: the sink is used only on `queue`, one batch after the other, its end
/// (``startFinishing(_:)``) last, and read (its digest) only after ``finish()`` has drained the queue;
/// `failure` and `written` are read and written only while holding `lock`; `room` and `queue` are thread-safe.
final class SinkWorker: @unchecked Sendable {
    /// Batches that may wait for one sink.
    static let depth = 2

    private let sink: any TableSink
    private let queue: DispatchQueue
    private let room = DispatchSemaphore(value: SinkWorker.depth)
    private let lock = NSLock()
    private var failure: (any Error)?
    /// Batches written, freed by the thread that submits the next one (or ends the file). A batch's
    /// rows hold the last references to most of their strings; freeing them on the writer's thread made
    /// it the slowest of the run's threads. At most `depth` batches wait here.
    private var written: [[Row]] = []

    init(_ sink: any TableSink, label: String) {
        self.sink = sink
        queue = DispatchQueue(label: "threadline.sink." + label)
    }

    /// Queues a batch; throws the error an earlier batch met.
    func submit(_ rows: [Row], of table: Table) throws {
        try rethrowFailure()
        releaseWritten()
        room.wait()
        queue.async { [self] in
            defer { room.signal() }
            guard currentFailure == nil else { return }
            do { try sink.write(rows, of: table) } catch { record(error) }
            lock.lock()
            written.append(rows)
            lock.unlock()
        }
    }

    /// Frees, on the calling thread, the batches written since the last call (outside the lock).
    private func releaseWritten() {
        lock.lock()
        let batches = written
        written = []
        lock.unlock()
        withExtendedLifetime(batches) {}
    }

    /// Ends the file on the worker's queue, after every queued batch, without waiting for it: the
    /// files of a run end side by side. ``finish()`` waits.
    func startFinishing(_ run: RunSummary) {
        queue.async { [self] in
            guard currentFailure == nil else { return }
            do { try sink.finish(run) } catch { record(error) }
        }
    }

    /// Waits for the end ``startFinishing(_:)`` began; throws the first error the file met.
    func finish() throws {
        drain()
        releaseWritten()
        try rethrowFailure()
    }

    /// Waits for every queued batch.
    func drain() {
        queue.sync {}
    }

    private var currentFailure: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    private func record(_ error: any Error) {
        lock.lock()
        if failure == nil { failure = error }
        lock.unlock()
    }

    private func rethrowFailure() throws {
        if let failure = currentFailure { throw failure }
    }
}
