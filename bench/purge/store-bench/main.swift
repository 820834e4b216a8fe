// Purge micro-benchmark: tag purges on a store of tagged objects, and the purge ledger's cost per verdict.
// Built and run by bench/purge/store.sh against this checkout's EdgeCache (release mode).
import EdgeCache
import Foundation
import NIOCore
import NIOHTTP1

let environment = ProcessInfo.processInfo.environment
let objectCount = Int(environment["OBJECTS"] ?? "") ?? 100_000
let tagCount = Int(environment["TAGS"] ?? "") ?? 1_000
let purges = Int(environment["PURGES"] ?? "") ?? 50
let ledgerRules = Int(environment["RULES"] ?? "") ?? 10_000
let verdicts = Int(environment["VERDICTS"] ?? "") ?? 1_000_000

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func measure(_ body: () -> Void) -> Double {
    let start = ContinuousClock.now
    body()
    return seconds(ContinuousClock.now - start)
}

func fill(_ store: TieredStore, objectCount: Int, tagCount: Int) -> Double {
    let headers: HTTPHeaders = ["cache-control": "max-age=3600", "content-type": "text/plain"]
    let body = ByteBuffer(string: String(repeating: "x", count: 64))
    return measure {
        for index in 0..<objectCount {
            // Each object carries a product tag shared by objectCount / tagCount objects, and a section tag.
            let tags = ["product-\(index % tagCount)", "section-\(index % 7)"]
            store.store(CachedObject(primaryKey: "http://www.cdn.test/item/\(index)", status: 200, headers: headers,
                                     body: body, requestTime: 1000, responseTime: 1000, storedAt: 1000, tags: tags))
        }
    }
}

print("== store: \(objectCount) objects, \(tagCount) product tags (\(objectCount / tagCount) objects each)")
let store = TieredStore(memory: MemoryTier(capacityBytes: 4 << 30, maxObjectBytes: 1 << 20), disk: nil)
let fillTime = fill(store, objectCount: objectCount, tagCount: tagCount)
print(String(format: "fill: %.2f s (%.0f objects/s)", fillTime, Double(objectCount) / fillTime))
var removed = 0
var times: [Double] = []
for purge in 0..<purges {
    let tag = "product-\(purge * (tagCount / max(1, purges)) % tagCount)"
    times.append(measure { removed += store.remove(taggedWith: tag) })
}
times.sort()
let total = times.reduce(0, +)
print(String(format: "tag purge (hard, TieredStore.remove(taggedWith:)): %d purges, %d objects removed", purges, removed))
print(String(format: "  per purge: median %.2f ms, worst %.2f ms; throughput %.1f tag purges/s",
             times[times.count / 2] * 1000, (times.last ?? 0) * 1000, Double(purges) / total))
var softTimes: [Double] = []
for purge in 0..<purges {
    let scope = PurgeScope.tag("product-\((purge * 7 + 1) % tagCount)")
    softTimes.append(measure { _ = store.storageKeys(in: scope) })
}
softTimes.sort()
print(String(format: "  soft tag purge (count only, TieredStore.storageKeys(in:)): median %.2f ms",
             softTimes[softTimes.count / 2] * 1000))

print("== ledger: \(ledgerRules) rules (a full ledger at the default bound), \(verdicts) verdicts per case")
var ledger = PurgeLedger(limits: .init(horizon: 86_400, maxRules: ledgerRules))
let now = 1_700_000_000.0
let recordTime = measure {
    for index in 0..<ledgerRules {
        let scope: PurgeScope
        switch index % 4 {
        case 0: scope = .url("http://www.cdn.test/item/\(index)")
        case 1: scope = .prefix("http://www.cdn.test/dir\(index % 50)/sub\(index)/")
        default: scope = .tag("product-\(index)")
        }
        ledger.record(PurgeCommand(id: "c\(index)", scope: scope, mode: index % 3 == 0 ? .soft : .hard,
                                   issuedAt: now + Double(index) / 1000), now: now + 10)
    }
}
print(String(format: "record: %.0f commands/s (%d rules kept)", Double(ledgerRules) / recordTime, ledger.scopedRuleCount))
let overflowTime = measure {
    for index in 0..<ledgerRules {
        ledger.record(PurgeCommand(id: "o\(index)", scope: .tag("extra-\(index)"), mode: .hard,
                                   issuedAt: now + 20 + Double(index) / 1000), now: now + 40)
    }
}
print(String(format: "record past the bound (folding into all): %.0f commands/s", Double(ledgerRules) / overflowTime))

let keys = (0..<1000).map { "http://www.cdn.test/dir\($0 % 50)/page/\($0)?v=\($0 % 3)" }
let tagSets = (0..<1000).map { ["product-\($0 * 13)", "section-\($0 % 7)", "page"] }
func verdictCost(_ ledger: PurgeLedger, keys: [String], tagSets: [[String]], count verdicts: Int,
                 fetchedAt: Double) -> (Double, String) {
    var keep = 0, stale = 0, purged = 0
    let time = measure {
        for index in 0..<verdicts {
            switch ledger.verdict(primaryKey: keys[index % keys.count], tags: tagSets[index % tagSets.count],
                                  fetchedAt: fetchedAt) {
            case .keep: keep += 1
            case .stale: stale += 1
            case .purged: purged += 1
            }
        }
    }
    return (time, "(keep \(keep), stale \(stale), purged \(purged))")
}
let (fresh, freshCounts) = verdictCost(ledger, keys: keys, tagSets: tagSets, count: verdicts, fetchedAt: now + 1000)
print(String(format: "verdict, object fetched after every rule (the common case): %.0f ns ", fresh / Double(verdicts) * 1e9)
      + freshCounts)
// Newer than the folded `all` rule but older than the newest rules: every lookup runs.
let (old, oldCounts) = verdictCost(ledger, keys: keys, tagSets: tagSets, count: verdicts, fetchedAt: now + 29)
print(String(format: "verdict, object fetched before the newest rules (all lookups): %.0f ns ", old / Double(verdicts) * 1e9)
      + oldCounts)
let shared = SharedPurgeLedger(ledger)
let sharedTime = measure {
    for index in 0..<verdicts {
        _ = shared.verdict(primaryKey: keys[index % keys.count], tags: tagSets[index % tagSets.count], fetchedAt: now + 29)
    }
}
print(String(format: "verdict through SharedPurgeLedger (mutex, uncontended): %.0f ns", sharedTime / Double(verdicts) * 1e9))
let encoded = ledger.encoded()
let decodeTime = measure { _ = try? PurgeLedger(decoding: encoded, limits: ledger.limits) }
print(String(format: "ledger file: %d bytes, decoded in %.1f ms", encoded.count, decodeTime * 1000))
