import HandoffConfiguration
import HandoffEngine
import Logging

extension DaemonConfiguration {
    /// At start: removes the scratch folders of processes killed before cleaning up (ssh-keygen's files).
    func sweepScratch(logger: Logger) {
        let swept = ScratchFolder.sweep(ScratchFolder.base(inStateDirectory: stateDirectory))
        if swept > 0 { logger.notice("removed \(swept) scratch folder(s) left by processes that ended without cleaning up") }
    }
}
