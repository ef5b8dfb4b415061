import ArgumentParser

/// The sysexits(3) codes the commands use, so scripts can tell bad input from a missing file.
public enum SysExit {
    public static let ok = ExitCode(0)
    public static let usage = ExitCode(64)
    public static let dataError = ExitCode(65)
    public static let noInput = ExitCode(66)
    public static let software = ExitCode(70)
    public static let cantCreate = ExitCode(73)
    public static let ioError = ExitCode(74)
    public static let tempFail = ExitCode(75)
    public static let config = ExitCode(78)
}
