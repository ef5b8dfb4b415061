import ArgumentParser
import Dispatch
import Foundation
import HummingbirdBcrypt
import IntakePipeline
import IntakeQueue
import Logging
import Metrics
import OperatorConsole
import Prometheus
import Synchronization

/// `faxintake console`: the operator console, a web server on the pipeline's store.
struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Serve the operator console (queues, items, keyboard verification, failed items, report) over HTTP or HTTPS.",
        discussion: "Users come from `faxintake users add`. Sessions end after console.idle_minutes idle (default 15); console.lockout_failures failed logins lock an account for console.lockout_minutes.")

    @OptionGroup var options: PipelineStateOptions

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("TLS certificate chain (PEM); with --tls-key, serve HTTPS and mark cookies Secure.", valueName: "path"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("TLS private key (PEM).", valueName: "path"))
    var tlsKey: String?

    func run() throws {
        let configuration = try options.load()
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (1...65_535).contains(port),
              colon != listen.startIndex else {
            printError("error: \(ConsoleError.badListenAddress(listen).description)")
            throw SysExit.usage
        }
        let host = String(listen[..<colon])
        if (tlsCert == nil) != (tlsKey == nil) {
            printError("error: \(ConsoleError.tls("only one of --tls-cert and --tls-key was given").description)")
            throw SysExit.usage
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let resources = try loadResources(configuration)
        let store = try openStore(configuration)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let reprocessor = Reprocessor(configuration: configuration, resources: resources, store: store)
        let app = ConsoleApp(
            store: store, configuration: configuration, form: resources.form,
            reprocessing: PipelineReprocessing(reprocessor: reprocessor, resources: resources),
            metrics: registry, secureCookies: tlsCert != nil)
        let tls = tlsCert.flatMap { cert in tlsKey.map { (certificate: PipelineStateOptions.absolute(cert), key: PipelineStateOptions.absolute($0)) } }
        // ArgumentParser's root command is synchronous; the server runs as a task until SIGTERM or SIGINT.
        let failure = Mutex<(any Error)?>(nil)
        let finished = DispatchSemaphore(value: 0)
        Task {
            do { try await app.run(host: host, port: port, tls: tls) } catch { failure.withLock { $0 = error } }
            finished.signal()
        }
        finished.wait()
        if let error = failure.withLock({ $0 }) {
            printError("error: \(error)")
            throw error is ConsoleError ? SysExit.config : SysExit.software
        }
    }
}

/// `faxintake users`: the console's users.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage the operator console's users.", subcommands: [UsersAddCommand.self, UsersListCommand.self])
}

/// `faxintake users add NAME --role ROLE`: the password is read from standard input, never from the command line.
struct UsersAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a console user; reads the password (one line, 10 characters or more) from standard input.")

    @OptionGroup var options: PipelineStateOptions
    @Argument(help: "The user name.") var name: String
    @Option(help: "reviewer (verifies), operator (also reprocesses) or admin (also manages users, reads the audit log).") var role: String

    func run() throws {
        guard let parsedRole = ConsoleRole(rawValue: role) else {
            printError("error: unknown role '\(role)'; use one of \(ConsoleRole.allCases.map(\.rawValue).joined(separator: ", "))")
            throw SysExit.usage
        }
        guard name.range(of: #"^[A-Za-z0-9._-]{1,64}$"#, options: .regularExpression) != nil else {
            printError("error: a user name is 1 to 64 letters, digits, '.', '_' or '-'")
            throw SysExit.usage
        }
        guard let password = readLine(strippingNewline: true), password.count >= 10 else {
            printError("error: give the password on standard input, 10 characters or more")
            throw SysExit.dataError
        }
        let store = try openStore(try options.load())
        let user = ConsoleUser(name: name, role: parsedRole, passwordHash: Bcrypt.hash(password, cost: 12), createdAt: Date())
        do {
            try store.addUser(user)
            try store.appendAudit(NewAuditEntry(at: Date(), user: "cli:\(NSUserName())", action: .addUser, detail: "\(name) as \(parsedRole)"))
        } catch {
            printError("error: \(error.description)")
            throw error == .userExists(name: name) ? SysExit.dataError : SysExit.software
        }
        print("added \(name) as \(parsedRole)")
    }
}

/// `faxintake users list`.
struct UsersListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the console's users and their roles.")

    @OptionGroup var options: PipelineStateOptions

    func run() throws {
        let store = try openStore(try options.load())
        for user in try storeCall({ () throws(QueueStoreError) in try store.users() }) {
            let locked = user.isLocked(at: Date()) ? "  locked until \(ISO8601DateFormatter().string(from: user.lockedUntil!))" : ""
            print("\(user.name)  \(user.role)\(locked)")
        }
    }
}

/// `faxintake audit`: the console's append-only audit log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Read the console's audit log.", subcommands: [AuditListCommand.self])
}

/// `faxintake audit list [--user] [--item] [--since]`.
struct AuditListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List audit entries, oldest first: who viewed, changed, reprocessed what, and logins.")

    @OptionGroup var options: PipelineStateOptions
    @Option(help: "Only this user's entries.") var user: String?
    @Option(help: "Only entries about this item id.") var item: Int64?
    @Option(help: ArgumentHelp("Only entries at or after this day (or ISO 8601 time).", valueName: "YYYY-MM-DD")) var since: String?
    @Flag(help: "Print JSON lines.") var json = false

    struct Line: Encodable {
        var at: Date
        var user: String
        var action: String
        var item: ItemID?
        var detail: String
    }

    func run() throws {
        var filter = AuditFilter(user: user, item: item.map(ItemID.init))
        if let since {
            if let time = ISO8601DateFormatter().date(from: since) { filter.since = time } else { filter.since = try parseDay(since) }
        }
        let store = try openStore(try options.load())
        let entries = try storeCall { () throws(QueueStoreError) in try store.auditEntries(filter) }
        let iso = ISO8601DateFormatter()
        for entry in entries {
            if json {
                print(JSONOutput.line(Line(at: entry.at, user: entry.user, action: entry.action.rawValue, item: entry.item, detail: entry.detail)))
            } else {
                print([iso.string(from: entry.at), entry.user, entry.action.rawValue, entry.item.map { "#\($0)" } ?? "-", entry.detail].joined(separator: "  "))
            }
        }
    }
}
