import EdgeConfig
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("2s", .seconds(2)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
        ("1d", .seconds(86_400)), ("1.5s", .milliseconds(1500)), ("0s", .zero), (" 10 s ", .seconds(10)),
        ("365d", .seconds(365 * 86_400)), ("2H", .seconds(7200)),
    ])
    func parsesDurations(text: String, duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test(arguments: ["", "10", "s", "-1s", "2 sec", "1w", "1.5.5s", "366d", "1e3ms", "10ss", "1h30m"])
    func rejectsMalformedDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func bareIntegersAreSeconds() {
        #expect(DurationText.seconds(30) == .seconds(30))
        #expect(DurationText.seconds(-1) == nil)
        #expect(DurationText.seconds(Int.max) == nil)
    }

    @Test(arguments: [
        (Duration.milliseconds(250), "250ms"), (.seconds(2), "2s"), (.seconds(90), "90s"), (.seconds(300), "5m"),
        (.seconds(86_400), "1d"), (.zero, "0s"), (.milliseconds(1500), "1500ms"),
    ])
    func formatsDurations(duration: Duration, text: String) {
        #expect(DurationText.format(duration) == text)
    }

    @Test func conversionsForCallers() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.milliseconds(250).inNanoseconds == 250_000_000)
        #expect(Duration.seconds(Int64.max).inNanoseconds == Int64.max)
    }
}
