/// Telephone numbers as call centres send them: `+7 (900) 123-45-67`, `79001234567`, `+44 20 7946 0958`.
/// Punctuation is for humans; search and validation work on the digits alone.
public enum PhoneNumber {
    public static let digitRange = 2...15

    /// Characters people put between digits that carry no meaning.
    private static let separators: Set<Character> = [" ", "-", "(", ")", ".", "\u{00A0}"]

    /// The digits of `text` when it is a plausible E.164-like number (an optional leading `+`, 2–15 digits,
    /// separators allowed), else nil.
    public static func normalizedDigits(_ text: String) -> String? {
        var body = Substring(text.trimmingWhitespace())
        if body.first == "+" { body = body.dropFirst() }
        var digits = ""
        for character in body {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if !separators.contains(character) {
                return nil
            }
        }
        return digitRange.contains(digits.count) ? digits : nil
    }

    /// The digits of a search query: everything that is not an ASCII digit is ignored, so `+7900`, `7900`
    /// and `7 900` find the same calls.
    public static func searchDigits(_ query: String) -> String {
        String(query.filter { $0.isASCII && $0.isNumber })
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
