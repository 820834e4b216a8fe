/// One word of a rules line: a bare word or a double-quoted string with its quotes removed.
struct RulesToken: Equatable, Sendable {
    var text: String
    var quoted: Bool
}

/// Splits one line of a rules file into words.
///
/// Quoting exists because header values such as `public, max-age=60` contain spaces; `\"` and `\\` are the only
/// escapes, enough to write any value a header line may carry without inventing an escape language.
enum RulesLexer {
    /// The words of `line`, or a message saying what is wrong with it. `#` outside quotes starts a comment.
    static func tokens(in line: Substring) -> Result<[RulesToken], RulesLexError> {
        var tokens: [RulesToken] = []
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == " " || character == "\t" {
                index = line.index(after: index)
                continue
            }
            if character == "#" { break }
            if character == "\"" {
                var text = ""
                var cursor = line.index(after: index)
                var closed = false
                while cursor < line.endIndex {
                    let inner = line[cursor]
                    if inner == "\\" {
                        let next = line.index(after: cursor)
                        guard next < line.endIndex else { return .failure(.unterminatedQuote) }
                        let escaped = line[next]
                        guard escaped == "\"" || escaped == "\\" else { return .failure(.unknownEscape(escaped)) }
                        text.append(escaped)
                        cursor = line.index(after: next)
                        continue
                    }
                    if inner == "\"" {
                        closed = true
                        cursor = line.index(after: cursor)
                        break
                    }
                    text.append(inner)
                    cursor = line.index(after: cursor)
                }
                guard closed else { return .failure(.unterminatedQuote) }
                if cursor < line.endIndex, line[cursor] != " ", line[cursor] != "\t", line[cursor] != "#" {
                    return .failure(.textAfterQuote(text))
                }
                tokens.append(RulesToken(text: text, quoted: true))
                index = cursor
                continue
            }
            var end = index
            while end < line.endIndex, line[end] != " ", line[end] != "\t" {
                if line[end] == "\"" { return .failure(.quoteInsideWord(String(line[index..<end]))) }
                end = line.index(after: end)
            }
            tokens.append(RulesToken(text: String(line[index..<end]), quoted: false))
            index = end
        }
        return .success(tokens)
    }
}

/// What can be wrong with a line before its words are even looked at.
enum RulesLexError: Error, Equatable {
    case unterminatedQuote
    case unknownEscape(Character)
    case textAfterQuote(String)
    case quoteInsideWord(String)

    var message: String {
        switch self {
        case .unterminatedQuote:
            return "expected a closing quote (\") before the end of the line"
        case .unknownEscape(let character):
            return "expected \\\" or \\\\ inside a quoted value, got \\\(character)"
        case .textAfterQuote(let text):
            return "expected a space after the quoted value \"\(text)\""
        case .quoteInsideWord(let word):
            return "expected a space before the quote after \"\(word)\""
        }
    }
}
