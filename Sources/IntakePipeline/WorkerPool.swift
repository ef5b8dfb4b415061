import Dispatch
import Foundation
import Synchronization

/// A fixed number of workers, each a long-lived thread owning one resource created on first use and
/// kept for the run.
///
/// A resource (e.g. a `FormExtractor` with its tesseract engine) is only ever touched on its own
/// worker's thread, which is what makes sharing the pool across threads safe.
///
/// Why threads and not serial dispatch queues: a serial queue's blocks run on whichever pool thread is
/// free, so one engine's long-lived buffers were allocated in one thread's malloc arena and freed from
/// another's, while that thread was busy with the other worker's engine. Both workers then waited on
/// each other's arena locks (measured: about 90% of the pipeline's context switches were glibc's
/// private lock waits). A worker that stays on its thread allocates and frees in its own arena.
final class WorkerPool<Resource>: Sendable {
    /// One thread and the jobs handed to it.
    /// `@unchecked Sendable`: `resource` is read and written only on the worker's own thread.
    final class Worker: @unchecked Sendable {
        /// Jobs in order; nil tells the thread to let its resource go and end.
        private let jobs = Mutex<[(@Sendable () -> Void)?]>([])
        private let ready = DispatchSemaphore(value: 0)
        var resource: Resource?

        init(label: String) {
            // The thread holds the worker until `stop`: the pool's deinit sends it.
            let thread = Thread { [self] in self.loop() }
            thread.name = label
            thread.start()
        }

        func run(_ job: @escaping @Sendable () -> Void) {
            jobs.withLock { $0.append(job) }
            ready.signal()
        }

        func stop() {
            jobs.withLock { $0.append(nil) }
            ready.signal()
        }

        private func loop() {
            while true {
                ready.wait()
                guard let job = jobs.withLock({ $0.removeFirst() }) else {
                    // Freed here, on the thread that used it.
                    resource = nil
                    return
                }
                job()
            }
        }
    }

    private let dispatcher: DispatchQueue
    private let available: DispatchSemaphore
    private let workers: [Worker]
    private let idle: Mutex<[Worker]>
    private let make: @Sendable () throws(StageFailure) -> Resource

    init(name: String, size: Int, make: @escaping @Sendable () throws(StageFailure) -> Resource) {
        dispatcher = DispatchQueue(label: "faxintake.\(name).dispatch")
        available = DispatchSemaphore(value: size)
        workers = (0..<size).map { Worker(label: "faxintake.\(name).\($0)") }
        idle = Mutex(workers)
        self.make = make
    }

    deinit {
        // Jobs still queued run first: each holds the pool, so none is queued once the pool goes.
        for worker in workers { worker.stop() }
    }

    /// Runs `work` on the next free worker; waits on the pool's own dispatcher, never on the caller.
    func submit(_ work: @escaping @Sendable (Result<Resource, StageFailure>) -> Void) {
        dispatcher.async {
            self.available.wait()
            let worker = self.idle.withLock { $0.removeLast() }
            worker.run {
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
                self.idle.withLock { $0.append(worker) }
                self.available.signal()
            }
        }
    }
}
