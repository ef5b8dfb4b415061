import Crypto
import Foundation

/// SHA-256 in lowercase hex: the content address of an original and the key that makes intake exactly-once.
public enum SHA256Digest {
    public static func hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    public static func hex(_ text: String) -> String { hex(Data(text.utf8)) }
}
