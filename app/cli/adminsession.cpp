#include "adminsession.h"

#include "application/auditservice.h"
#include "application/openservices.h"
#include "application/teamkeysource.h"
#include "approvals/services.h"
#include "audit/checkpointsigner.h"
#include "evidence/actor.h"
#include "members/memberstore.h"
#include "storage/pgconnectionconfig.h"
#include "team/teamdatabase.h"
#include "team/teamkey.h"
#include "vault/passphrasereader.h"
#include "vault/vault.h"

#include <QDir>
#include <QFileInfo>

namespace countersign::cli {

namespace {

const QString CONNECTION = QStringLiteral("cli-admin");

} // namespace

QString AdminTarget::teamCheckpointFile() const
{
    const auto config = storage::PgConnectionConfig::fromUrl(databaseUrl);
    const QString server = config ? QStringLiteral("%1_%2_%3")
                                        .arg(QString(config->host).replace(u'/', u'_'))
                                        .arg(config->port)
                                        .arg(config->database)
                                  : QStringLiteral("team");
    return QDir(dataDir).filePath(QStringLiteral("teams/%1/%2").arg(server, audit::CheckpointSigner::FILE_NAME));
}

AdminSession::AdminSession() = default;

AdminSession::~AdminSession()
{
    m_services.reset(); // its connection closes before the vault's or the team's
}

Result<std::unique_ptr<AdminSession>> AdminSession::open(const AdminTarget& target)
{
    if (target.isTeam()) {
        auto config = storage::PgConnectionConfig::fromUrl(target.databaseUrl);
        COUNTERSIGN_TRY(config);
        auto key = application::TeamKeySource::read(target.keyCredential);
        COUNTERSIGN_TRY(key);
        const QString checkpoints = target.teamCheckpointFile();
        if (!QDir().mkpath(QFileInfo(checkpoints).absolutePath()))
            return fail(ErrorCode::Io, QStringLiteral("cannot create the folder of %1").arg(checkpoints));
        auto team = team::TeamDatabase::open(*config, *key, checkpoints);
        COUNTERSIGN_TRY(team);
        return over(std::move(*team));
    }
    auto passphrase = vault::PassphraseReader::read("COUNTERSIGN_PASSPHRASE_FILE", QStringLiteral("Passphrase: "));
    COUNTERSIGN_TRY(passphrase);
    auto vault = vault::Vault::open(target.dataDir, *passphrase);
    COUNTERSIGN_TRY(vault);
    std::unique_ptr<AdminSession> session(new AdminSession());
    session->m_vault = std::move(*vault);
    session->m_ownerId = VAULT_OWNER;
    COUNTERSIGN_TRY(session->openServices());
    return session;
}

Result<std::unique_ptr<AdminSession>> AdminSession::over(std::unique_ptr<team::TeamDatabase> team)
{
    std::unique_ptr<AdminSession> session(new AdminSession());
    session->m_team = std::move(team);
    COUNTERSIGN_TRY(session->openServices());
    // The team's first owner (`team init` made them) acts: a team has no built-in "owner" id.
    auto all = members::MemberStore(session->m_services->database()).list();
    COUNTERSIGN_TRY(all);
    for (const members::Member& member : std::as_const(*all)) {
        if (member.active && member.role == members::Role::Owner) {
            session->m_ownerId = member.id;
            break;
        }
    }
    if (session->m_ownerId.isEmpty())
        return fail(ErrorCode::PermissionDenied, QStringLiteral("the team has no active owner to act for"));
    return session;
}

Result<void> AdminSession::openServices()
{
    auto services = m_team ? application::openServices(*m_team, m_events, CONNECTION)
                           : application::openServices(*m_vault, m_events, CONNECTION);
    COUNTERSIGN_TRY(services);
    m_services = std::move(*services);
    return {};
}

const crypto::TlsIdentity* AdminSession::tlsIdentity() const
{
    return m_team ? &m_team->tlsIdentity() : m_vault->tlsIdentity();
}

QByteArray AdminSession::instancePublicKey() const
{
    return m_team ? m_team->instancePublicKey() : m_vault->instancePublicKey();
}

QString AdminSession::ownerActor() const
{
    return audit::Actor::member(m_ownerId).toString();
}

Result<std::unique_ptr<application::AuditService>> AdminSession::auditService() const
{
    if (m_team)
        return application::AuditService::open(*m_team, QStringLiteral("cli-audit"));
    return std::make_unique<application::AuditService>(*m_vault);
}

} // namespace countersign::cli
