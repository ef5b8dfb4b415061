import Dispatch
import FaxImaging
import Foundation
import Synchronization
import Testing

/// A shared engine is entered by one worker at a time, and its errors reach the caller.
@Suite struct SerialRecognizerTests {
    /// Records how many callers are inside at once.
    final class CountingEngine: TextRecognizer, @unchecked Sendable {
        // @unchecked: the counters are atomics; the engine is otherwise stateless.
        let inside = Atomic<Int>(0)
        let most = Atomic<Int>(0)
        let calls = Atomic<Int>(0)

        func recognize(_ image: GrayImage, options: RecognitionOptions) throws(RecognitionError) -> RecognizedText {
            let now = inside.add(1, ordering: .sequentiallyConsistent).newValue
            _ = most.max(now, ordering: .sequentiallyConsistent)
            usleep(200)
            inside.subtract(1, ordering: .sequentiallyConsistent)
            if calls.add(1, ordering: .sequentiallyConsistent).newValue == 1 { throw .failed("first call fails") }
            return RecognizedText(text: "\(image.width)", confidence: 1, wordConfidences: [1])
        }
    }

    @Test func callsFromManyThreadsAreSerialised() {
        let engine = CountingEngine()
        let shared = SerialRecognizer(engine)
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            do throws(RecognitionError) {
                let text = try shared.recognize(GrayImage(width: i + 1, height: 1), options: RecognitionOptions())
                #expect(text.text == "\(i + 1)")
            } catch {
                failures.add(1, ordering: .sequentiallyConsistent)
            }
        }
        #expect(engine.calls.load(ordering: .sequentiallyConsistent) == 64)
        #expect(engine.most.load(ordering: .sequentiallyConsistent) == 1)
        #expect(failures.load(ordering: .sequentiallyConsistent) == 1)
    }
}
