extension AsyncSequence {
    /// Reads a (small) result set to the end, so the connection is free for the next query.
    func collectAll() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
