#pragma once

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace countersign::audit {

class AuditLog;
class CheckpointSigner;

/// A named database connection of one thread's own, with the audit log that appends through it
/// and the checkpoint signer over that log: what every service of that thread writes evidence
/// with. It owns the connection and closes it when it goes, after the log and the signer.
class AuditedConnection final {
public:
    /// Takes over the open connection \a connectionName: it closes with this object, even when
    /// no log is attached (opening the log failed).
    explicit AuditedConnection(QString connectionName);
    ~AuditedConnection();
    AuditedConnection(const AuditedConnection&) = delete;
    AuditedConnection& operator=(const AuditedConnection&) = delete;

    /// Hands over \a log, appending through this connection, and \a checkpoints over that log.
    void attach(std::unique_ptr<AuditLog> log, std::unique_ptr<CheckpointSigner> checkpoints);

    [[nodiscard]] QSqlDatabase database() const;
    [[nodiscard]] AuditLog& log() const { return *m_log; }
    [[nodiscard]] CheckpointSigner& checkpoints() const { return *m_checkpoints; }

private:
    QString m_connectionName;
    std::unique_ptr<AuditLog> m_log;
    std::unique_ptr<CheckpointSigner> m_checkpoints;
};

} // namespace countersign::audit
