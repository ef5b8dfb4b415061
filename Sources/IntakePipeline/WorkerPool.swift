import Dispatch
import Foundation

/// A fixed number of serial workers, each owning one resource created on first use and kept for the run.
///
/// A resource (e.g. a `FormExtractor` with its tesseract engine) is only ever touched on its own
/// worker's serial queue, which is what makes sharing the pool across threads safe.
/// `@unchecked Sendable` because `idle` is guarded by `lock` and each `Worker.resource` by its queue.
final class WorkerPool<Resource>: @unchecked Sendable {
    /// `@unchecked Sendable`: `resource` is read and written only on `queue`.
    final class Worker: @unchecked Sendable {
        let queue: DispatchQueue
        var resource: Resource?

        init(label: String) {
            queue = DispatchQueue(label: label)
        }
    }

    private let dispatcher: DispatchQueue
    private let available: DispatchSemaphore
    private let lock = NSLock()
    private var idle: [Worker]
    private let make: @Sendable () throws(StageFailure) -> Resource

    init(name: String, size: Int, make: @escaping @Sendable () throws(StageFailure) -> Resource) {
        dispatcher = DispatchQueue(label: "faxintake.\(name).dispatch")
        available = DispatchSemaphore(value: size)
        idle = (0..<size).map { Worker(label: "faxintake.\(name).\($0)") }
        self.make = make
    }

    /// Runs `work` on the next free worker; waits on the pool's own dispatcher, never on the caller.
    func submit(_ work: @escaping @Sendable (Result<Resource, StageFailure>) -> Void) {
        dispatcher.async {
            self.available.wait()
            let worker = self.lock.withLock { self.idle.removeLast() }
            worker.queue.async {
                let resource: Result<Resource, StageFailure>
                if let existing = worker.resource {
                    resource = .success(existing)
                } else {
                    do throws(StageFailure) {
                        let created = try self.make()
                        worker.resource = created
                        resource = .success(created)
                    } catch {
                        // Not kept: the next document tries to create it again (the failure may be transient).
                        resource = .failure(error)
                    }
                }
                work(resource)
                self.lock.withLock { self.idle.append(worker) }
                self.available.signal()
            }
        }
    }
}
