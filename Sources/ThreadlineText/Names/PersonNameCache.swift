import Foundation
import Synchronization

/// Folded names shared by every document of a run: the same people write in many documents, and
/// folding a name (NFC, diacritics, transliteration, slug) costs far more than looking it up.
///
/// Safe to use from several threads at once. Memory is bounded: once `capacity` names are held, the
/// cache starts over, so a run with millions of distinct names folds some twice but never grows
/// without limit.
public final class PersonNameCache: Sendable {
    private let names = Mutex<[String: PersonName]>([:])
    /// The most names held at once.
    public let capacity: Int

    public init(capacity: Int = 1 << 16) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    /// `raw` folded, from the cache when it was folded before.
    public func name(_ raw: String) -> PersonName {
        if let known = names.withLock({ $0[raw] }) { return known }
        // Folded outside the lock: two threads may fold the same name once each, which is harmless.
        let name = PersonName(raw)
        names.withLock { names in
            if names.count >= capacity { names.removeAll(keepingCapacity: true) }
            names[raw] = name
        }
        return name
    }

    /// How many names are held now.
    public var count: Int {
        names.withLock { $0.count }
    }
}
