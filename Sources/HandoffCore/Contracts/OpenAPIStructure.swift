/// The OpenAPI versions Handoff reads: their structures differ (schemas above all), so the validator asks.
enum OpenAPIVersion {
    /// 3.0.x: Schema Objects are OpenAPI's own JSON Schema subset (`nullable`, one type name).
    case v30
    /// 3.1.x, and 3.2.x read as 3.1: Schema Objects are JSON Schema 2020-12, `webhooks` exist.
    case v31

    init?(_ text: String) {
        if text.hasPrefix("3.0.") || text == "3.0" {
            self = .v30
        } else if text.hasPrefix("3.1.") || text.hasPrefix("3.2.") || text == "3.1" || text == "3.2" {
            self = .v31
        } else {
            return nil
        }
    }
}
