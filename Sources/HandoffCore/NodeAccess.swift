internal import Yams

extension Node {
    /// The value under `key` of a mapping, compared as text.
    ///
    /// Yams' own `node["key"]` builds a node and resolves its tag with a regular expression on every
    /// comparison, which dominated contract checking; comparing the key text is all a lookup needs.
    func child(_ key: String) -> Node? {
        guard case .mapping(let mapping) = self else { return nil }
        for (candidate, value) in mapping where candidate.scalar?.string == key {
            return value
        }
        return nil
    }
}
