public import Git
public import HandoffCore

/// The readiness of every packet at the tip of one branch of a repository.
public struct BranchReport: Sendable {
    /// The branch's full reference name.
    public var branch: String
    /// The commit checked; nil when the branch has no commit yet.
    public var commit: ObjectID?
    /// One report per packet, in id order.
    public var packets: [PacketReport]
    /// Findings about the packet root itself (folders that are not packet ids).
    public var rootFindings: [Finding]
}

/// Why a repository could not be checked at all (as opposed to packets with findings).
public enum BranchCheckError: Error, Sendable, CustomStringConvertible {
    /// The repository did not open.
    case open(RepositoryOpenError)
    /// The branch name is not a valid reference name.
    case invalidBranch(String)
    /// Reading the repository failed.
    case git(GitError)

    public var description: String {
        switch self {
        case .open(let error): error.description
        case .invalidBranch(let name): "'\(name)' is not a valid branch name"
        case .git(let error): error.description
        }
    }
}

/// Checks the packets at a branch tip, reading the tree through the `Git` layer (no checkout).
///
/// The repository's own `.handoff/policy.yaml` at that commit sets the packet root, required sections,
/// severities and limits.
public struct BranchCheck {
    /// Memoised contract results shared across runs.
    public var cache: CheckCache?

    /// Creates a branch check.
    public init(cache: CheckCache? = nil) {
        self.cache = cache
    }

    /// Opens the repository at `path` and checks `branch` (a short name like `main`, or a full `refs/…` name).
    public func run(repositoryAt path: String, branch: String) throws(BranchCheckError) -> BranchReport {
        let repository: Repository
        do {
            repository = try Repository.open(at: path)
        } catch {
            throw .open(error)
        }
        return try run(repository, branch: branch)
    }

    /// Checks `branch` of an open repository.
    public func run(_ repository: Repository, branch: String) throws(BranchCheckError) -> BranchReport {
        let reference = branch.hasPrefix("refs/") ? branch : "refs/heads/\(branch)"
        guard Reference.isValidName(reference) else { throw .invalidBranch(branch) }
        do {
            guard let tip = try repository.referenceTarget(reference) else {
                return BranchReport(branch: reference, commit: nil, packets: [], rootFindings: [])
            }
            let view = try GitTreeView(repository: repository, commit: tip)
            let (policy, policyFindings) = try Policy.load(from: view)
            let checker = PacketChecker(configuration: policy.checkConfiguration, cache: cache)
            let (ids, rootFindings) = try checker.packetIDs(in: view)
            let known = Set(ids)
            let packets = try ids.map { try checker.check($0, in: view, knownPackets: known) }
            return BranchReport(branch: reference, commit: tip, packets: packets, rootFindings: policyFindings + rootFindings)
        } catch let error as GitError {
            throw .git(error)
        } catch {
            throw .git(GitError(operation: "check \(reference)", code: .generic, message: "\(error)"))
        }
    }
}
