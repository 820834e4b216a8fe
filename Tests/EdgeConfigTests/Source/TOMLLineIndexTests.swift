import EdgeConfig
import Testing

@Suite struct TOMLLineIndexTests {
    static let document = """
        # comment with [brackets] and key = "value"
        title = "x"                       # line 2
        [cache]                           # line 3
        memory_size = "1GiB"              # line 4
          disk . path = "a"               # line 5: dotted key with spaces
        "quoted key" = 1                  # line 6
        'literal.key' = 2                 # line 7

        [[nodes]]                         # line 9
        name = "edge-1"                   # line 10
        location = { latitude = 1, region = "eu" }   # line 11
        [nodes.cache]                     # line 12
        memory_size = 5                   # line 13

        [[nodes]]                         # line 15
        name = "edge-2"                   # line 16
        notes = \"\"\"
        [fake.header]
        fake = 1
        \"\"\"                               # line 20
        listen = "127.0.0.1:8082"         # line 21
        origins = [
          "a",                            # line 23
          # a comment
          "b",                            # line 25
        ]
        nested = [[1, 2], [3]]            # line 27
        tables = [{ a = 1 }, { b = 2 }]   # line 28
        [[nodes.extra]]                   # line 29
        x = 'it''s'                       # line 30: literal then literal
        [[nodes.extra]]                   # line 31
        x = 2                             # line 32
        """

    let index = TOMLLineIndex(source: TOMLLineIndexTests.document)

    private func line(_ path: String, _ components: [ConfigKeyPath.Component]) -> Int? {
        let keyPath = ConfigKeyPath(components)
        #expect(keyPath.description == path)
        return index.line(of: keyPath)
    }

    @Test func topLevelAndPlainTables() {
        #expect(line("title", [.key("title")]) == 2)
        #expect(line("cache", [.key("cache")]) == 3)
        #expect(line("cache.memory_size", [.key("cache"), .key("memory_size")]) == 4)
        #expect(line("cache.disk.path", [.key("cache"), .key("disk"), .key("path")]) == 5)
        #expect(line("cache.disk", [.key("cache"), .key("disk")]) == 5)
        #expect(line("cache.\"quoted key\"", [.key("cache"), .key("quoted key")]) == 6)
        #expect(line("cache.\"literal.key\"", [.key("cache"), .key("literal.key")]) == 7)
    }

    @Test func arraysOfTablesAndTheirSubTables() {
        #expect(line("nodes", [.key("nodes")]) == 9)
        #expect(line("nodes[0]", [.key("nodes"), .index(0)]) == 9)
        #expect(line("nodes[0].name", [.key("nodes"), .index(0), .key("name")]) == 10)
        #expect(line("nodes[0].cache", [.key("nodes"), .index(0), .key("cache")]) == 12)
        #expect(line("nodes[0].cache.memory_size", [.key("nodes"), .index(0), .key("cache"), .key("memory_size")]) == 13)
        #expect(line("nodes[1]", [.key("nodes"), .index(1)]) == 15)
        #expect(line("nodes[1].name", [.key("nodes"), .index(1), .key("name")]) == 16)
        #expect(line("nodes[1].extra[0].x", [.key("nodes"), .index(1), .key("extra"), .index(0), .key("x")]) == 30)
        #expect(line("nodes[1].extra[1]", [.key("nodes"), .index(1), .key("extra"), .index(1)]) == 31)
        #expect(line("nodes[1].extra[1].x", [.key("nodes"), .index(1), .key("extra"), .index(1), .key("x")]) == 32)
    }

    @Test func inlineTablesAndArrays() {
        #expect(line("nodes[0].location.latitude", [.key("nodes"), .index(0), .key("location"), .key("latitude")]) == 11)
        #expect(line("nodes[1].origins", [.key("nodes"), .index(1), .key("origins")]) == 22)
        #expect(line("nodes[1].origins[0]", [.key("nodes"), .index(1), .key("origins"), .index(0)]) == 23)
        #expect(line("nodes[1].origins[1]", [.key("nodes"), .index(1), .key("origins"), .index(1)]) == 25)
        #expect(line("nodes[1].nested[1][0]", [.key("nodes"), .index(1), .key("nested"), .index(1), .index(0)]) == 27)
        #expect(line("nodes[1].tables[1].b", [.key("nodes"), .index(1), .key("tables"), .index(1), .key("b")]) == 28)
    }

    @Test func multilineStringsAreSkipped() {
        #expect(line("nodes[1].notes", [.key("nodes"), .index(1), .key("notes")]) == 17)
        #expect(line("nodes[1].listen", [.key("nodes"), .index(1), .key("listen")]) == 21)
        #expect(index.line(of: ConfigKeyPath(keys: "fake", "header")) == nil)
        #expect(index.line(of: ConfigKeyPath(keys: "fake")) == nil)
    }

    @Test func missingKeysFallBackToTheirTable() {
        let missing = ConfigKeyPath([.key("nodes"), .index(1), .key("cache"), .key("memory_size")])
        #expect(index.line(of: missing) == nil)
        #expect(index.nearestLine(of: missing) == 15)
        #expect(index.nearestLine(of: ConfigKeyPath(keys: "nowhere")) == nil)
    }

    @Test func survivesBrokenText() {
        // Never run on invalid TOML in practice, but must terminate without trapping on anything.
        for text in ["[", "[[", "a = ", "a = [", "a = {", "a = \"", "a = '''", "a = \"\"\"x", "\\", "= = =",
                     "[a.]\n[.b]", "a = [{ b = [ {", "\"\\u", "'", "a.\"b", "[[a]]]\n[[a]]", "x = \"\\U0011FFFF\""] {
            _ = TOMLLineIndex(source: text)
        }
        #expect(TOMLLineIndex(source: "").count == 0)
    }

    @Test func flagsTextThatTomlPlusPlusCannotRejectSafely() throws {
        let header = try #require(TOMLLineIndex(source: "a = 1\n[ }x]\n").parserHazard)
        #expect((header.line, header.column) == (2, 3))
        #expect(header.message == "expected a key in the table header")
        let array = try #require(TOMLLineIndex(source: "a = [\n  1,\n  }\n").parserHazard)
        #expect((array.line, array.column) == (3, 3))
        // Column counts characters, not bytes.
        let unicode = try #require(TOMLLineIndex(source: "a = [\"é\", }]").parserHazard)
        #expect(unicode.column == 11)
        // Nothing to flag in valid documents, including nested arrays that begin lines with '['.
        #expect(TOMLLineIndex(source: Self.document).parserHazard == nil)
        #expect(TOMLLineIndex(source: "a = [\n  [{ b = \"}\" }],\n  [+1],\n]\n").parserHazard == nil)
    }

    @Test func keyPathRendering() {
        #expect(ConfigKeyPath(keys: "a", "b c", "d\"e").description == "a.\"b c\".\"d\\\"e\"")
        #expect(ConfigKeyPath([.key("nodes"), .index(2), .key("listen")]).description == "nodes[2].listen")
        #expect(ConfigKeyPath.root.description == "")
        #expect(ConfigKeyPath(keys: "a", "b").parent == ConfigKeyPath(keys: "a"))
    }
}
