// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "FaxIntake",
    platforms: [.macOS(.v15)],  // Linux is the target; v15 only so Synchronization.Mutex is available
    products: [
        .executable(name: "faxintake", targets: ["faxintake"]),
        .library(name: "FaxImaging", targets: ["FaxImaging"]),
        .library(name: "FormExtraction", targets: ["FormExtraction"]),
        .library(name: "IntakeQueue", targets: ["IntakeQueue"]),
        .library(name: "IntakePipeline", targets: ["IntakePipeline"]),
        .library(name: "ReferenceData", targets: ["ReferenceData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
    ],
    targets: [
        // Thin bridges to the C libraries: a module map and a shim header each.
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CPoppler", pkgConfig: "poppler-glib", providers: [.apt(["libpoppler-glib-dev"])]),
        .systemLibrary(name: "CLeptonica", pkgConfig: "lept", providers: [.apt(["libleptonica-dev"])]),
        .systemLibrary(name: "CTesseract", pkgConfig: "tesseract", providers: [.apt(["libtesseract-dev"])]),

        // The one module that owns C handles; everything above it sees Swift types only.
        .target(
            name: "FaxImaging",
            dependencies: ["CTIFF", "CPoppler", "CLeptonica", "CTesseract"]
        ),
        // Form templates, page classification, registration, field reading and validation.
        .target(name: "FormExtraction", dependencies: ["FaxImaging"]),
        // The structured queue: store protocol and its SQLite (GRDB) store, on disk or in memory.
        .target(name: "IntakeQueue", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // The plan's reference data — member roster, provider directory, ICD-10-CM — and the checks against it.
        .target(name: "ReferenceData"),
        // Spool watching, staged workers, routing, reports.
        .target(
            name: "IntakePipeline",
            dependencies: [
                "FaxImaging", "FormExtraction", "IntakeQueue", "ReferenceData",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The operator console: a Hummingbird server with its routes, sessions, roles, audit and templates.
        .target(
            name: "OperatorConsole",
            dependencies: [
                "FaxImaging", "FormExtraction", "IntakeQueue", "IntakePipeline",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Commands; the executable only calls into this.
        .target(
            name: "FaxIntakeCLI",
            dependencies: [
                "FaxImaging", "FormExtraction", "IntakeQueue", "IntakePipeline", "OperatorConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(name: "faxintake", dependencies: ["FaxIntakeCLI"]),

        .testTarget(name: "FaxImagingTests", dependencies: ["FaxImaging"]),
        .testTarget(name: "FormExtractionTests", dependencies: ["FormExtraction", "FaxImaging"]),
        .testTarget(name: "IntakeQueueTests", dependencies: ["IntakeQueue"]),
        .testTarget(name: "FaxIntakeCLITests", dependencies: ["FaxIntakeCLI"]),
        .testTarget(name: "ReferenceDataTests", dependencies: ["ReferenceData"]),
        .testTarget(
            name: "OperatorConsoleTests",
            dependencies: [
                "OperatorConsole", "IntakeQueue", "IntakePipeline",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "IntakePipelineTests", dependencies: ["IntakePipeline", "IntakeQueue", "FormExtraction", "FaxImaging"]),
    ]
)
