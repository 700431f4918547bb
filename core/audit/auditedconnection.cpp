#include "auditedconnection.h"

#include "auditlog.h"
#include "checkpointsigner.h"

namespace countersign::audit {

AuditedConnection::AuditedConnection(QString connectionName)
    : m_connectionName(std::move(connectionName))
{
}

AuditedConnection::~AuditedConnection()
{
    m_checkpoints.reset();
    m_log.reset();
    {
        // Qt Sql removes a connection only once no QSqlDatabase refers to it any more.
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

void AuditedConnection::attach(std::unique_ptr<AuditLog> log, std::unique_ptr<CheckpointSigner> checkpoints)
{
    m_log = std::move(log);
    m_checkpoints = std::move(checkpoints);
}

QSqlDatabase AuditedConnection::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

} // namespace countersign::audit
