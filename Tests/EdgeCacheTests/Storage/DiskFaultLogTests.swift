#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import EdgeCache

@Suite("DiskFaultLog")
struct DiskFaultLogTests {
    let corrupt = DiskFault(kind: .corrupt, message: "bad checksum")
    let readOnly = DiskFault(kind: .readonly, message: "EROFS")

    @Test func theFirstFaultOfAKindIsLoggedAtOnceThenOneLinePerIntervalWithTheSuppressedCount() {
        var log = DiskFaultLog(settings: .init(logInterval: 10, degradedFor: 60))
        #expect(log.record(corrupt, now: 100) == .log(suppressed: 0))
        #expect(log.record(corrupt, now: 101) == .suppress)
        #expect(log.record(corrupt, now: 105) == .suppress)
        // Another kind has its own allowance.
        #expect(log.record(readOnly, now: 106) == .log(suppressed: 0))
        #expect(log.record(corrupt, now: 110) == .log(suppressed: 2))
        #expect(log.record(corrupt, now: 111) == .suppress)
        #expect(log.counts == [.corrupt: 5, .readonly: 1])
        #expect(log.lastFault == corrupt && log.lastFaultAt == 111)
    }

    @Test func theDiskIsDegradedForAWhileAfterTheLastFault() {
        var log = DiskFaultLog(settings: .init(logInterval: 10, degradedFor: 60))
        #expect(!log.hasRecentFault(now: 0))
        _ = log.record(corrupt, now: 100)
        #expect(log.hasRecentFault(now: 159))
        #expect(!log.hasRecentFault(now: 160))
        let report = DiskHealthReport(faults: log, ledgerDurable: true, servingFromDisk: true, now: 120)
        #expect(report.state == .degraded && report.lastErrorKind == .corrupt && report.errors == ["corrupt": 1])
        #expect(DiskHealthReport(faults: log, ledgerDurable: true, servingFromDisk: true, now: 200).state == .ok)
        // An unsaveable ledger keeps it degraded however old the last fault is.
        #expect(DiskHealthReport(faults: log, ledgerDurable: false, servingFromDisk: false, now: 999).state == .degraded)
    }

    @Test func faultsAreClassifiedByErrnoFirstThenByOperation() {
        func kind(_ code: Int32, _ operation: String) -> DiskFaultKind? {
            DiskFault(DiskTierError(errno: code, operation: operation, path: "/cache/x"))?.kind
        }
        #expect(kind(EROFS, "create") == .readonly)
        #expect(kind(EROFS, "unlink") == .readonly)
        #expect(kind(ENOSPC, "write") == .nospace)
        #expect(kind(EDQUOT, "fsync") == .nospace)
        #expect(kind(EACCES, "open") == .permission)
        #expect(kind(EIO, "read") == .read)
        #expect(kind(EIO, "open") == .read)
        #expect(kind(EIO, "rename") == .write)
        #expect(kind(EBUSY, "unlink") == .remove)
        #expect(DiskFault(DiskTierError(kind: .unencodable("header too long"), operation: "encode", path: "x")) == nil)
        #expect(DiskFault(DiskTierEvent.removedInvalidFile(path: "x", reason: "checksum"))?.kind == .corrupt)
        #expect(DiskFault(DiskTierEvent.removedTemporaryFile(path: "x")) == nil)
        #expect(DiskFault(DiskTierEvent.skippedForeignEntry(path: "x")) == nil)
    }
}
