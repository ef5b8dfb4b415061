import Foundation

/// What can stop the console from starting; the CLI maps each to a sysexit.
public enum ConsoleError: Error, Hashable, CustomStringConvertible {
    /// `--listen` is not HOST:PORT.
    case badListenAddress(String)
    /// The TLS certificate or key cannot be read, or only one of them was given.
    case tls(String)

    public var description: String {
        switch self {
        case .badListenAddress(let text):
            return "'\(text)' is not an address to listen on; give HOST:PORT, e.g. 127.0.0.1:8080."
        case .tls(let reason):
            return "TLS: \(reason). Give both --tls-cert and --tls-key as PEM files."
        }
    }
}
