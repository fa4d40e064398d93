import CallsCore
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("+7 (900) 123-45-67", "79001234567"),
        ("79001234567", "79001234567"),
        ("+44 20 7946 0958", "442079460958"),
        ("  +12  ", "12"),
        ("123.456.7890", "1234567890"),
    ])
    func normalizesPlausibleNumbers(input: String, digits: String) {
        #expect(PhoneNumber.normalizedDigits(input) == digits)
    }

    @Test(arguments: ["", "+", "1", "abc", "+7900x1234", "1234567890123456", "++79001234567", "7 900 # 1"])
    func rejectsImplausibleNumbers(input: String) {
        #expect(PhoneNumber.normalizedDigits(input) == nil)
    }

    @Test func searchIgnoresEverythingButDigits() {
        #expect(PhoneNumber.searchDigits("+7900") == "7900")
        #expect(PhoneNumber.searchDigits(" 7 900-") == "7900")
        #expect(PhoneNumber.searchDigits("abc") == "")
    }
}
