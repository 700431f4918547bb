#include "pgcluster.h"

#include "testca.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QtDebug>

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace countersign::test {

namespace {

constexpr int START_TIMEOUT_MS = 120000;
constexpr int STOP_TIMEOUT_MS = 60000;

QString randomSecret()
{
    // Hex only: safe inside an SQL string literal and a file without quoting.
    return QUuid::createUuid().toString(QUuid::Id128) + QUuid::createUuid().toString(QUuid::Id128);
}

bool writeFile(const QString& path, const QByteArray& bytes, QFileDevice::Permissions permissions)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        return false;
    file.close();
    return file.setPermissions(permissions);
}

bool appendFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Append) && file.write(bytes) == bytes.size();
}

QByteArray quotedSetting(const QString& value)
{
    QString escaped = value;
    escaped.replace(u'\'', QStringLiteral("''"));
    return '\'' + escaped.toUtf8() + '\'';
}

} // namespace

PgCluster::PgCluster()
    : PgCluster(Options{})
{
}

PgCluster::PgCluster(Options options)
    : m_options(std::move(options))
    , m_dir(QDir::tempPath() + QStringLiteral("/countersign-pg-XXXXXX"))
{
    if (::geteuid() == 0) {
        // PostgreSQL refuses to run as root: its server runs as an unprivileged system user.
        const passwd* nobody = ::getpwnam("nobody");
        if (nobody) {
            m_dropPrivileges = true;
            m_serverUid = nobody->pw_uid;
            m_serverGid = nobody->pw_gid;
        }
    }
}

PgCluster::~PgCluster()
{
    stop();
}

QString PgCluster::binary(const QString& tool) const
{
    const QString directory =
        qEnvironmentVariable("COUNTERSIGN_PG_BINDIR", QStringLiteral("/usr/lib/postgresql/15/bin"));
    return QDir(directory).filePath(tool);
}

void PgCluster::prepareProcess(QProcess& process) const
{
    process.setWorkingDirectory(m_dir.path());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    environment.insert(QStringLiteral("HOME"), m_dir.path());
    process.setProcessEnvironment(environment);
    const bool drop = m_dropPrivileges;
    const uid_t uid = m_serverUid;
    const gid_t gid = m_serverGid;
    process.setChildProcessModifier([drop, uid, gid] {
        // Runs in the child between fork and exec: only async-signal-safe calls.
        if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0))
            ::_exit(126);
        // After the credential change, which clears it (prctl(2)): if the test dies, the server
        // gets SIGQUIT, PostgreSQL's immediate shutdown, and leaves nothing running.
        ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
    });
}

bool PgCluster::runTool(const QString& tool, const QStringList& arguments) const
{
    QProcess process;
    prepareProcess(process);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(binary(tool), arguments);
    if (!process.waitForFinished(START_TIMEOUT_MS) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        qWarning().noquote() << tool << "failed:" << process.errorString() << QString::fromLocal8Bit(process.readAll());
        return false;
    }
    return true;
}

bool PgCluster::handToServerUser(const QString& path) const
{
    if (!m_dropPrivileges)
        return true;
    if (::chown(QFile::encodeName(path).constData(), m_serverUid, m_serverGid) != 0) {
        qWarning() << "cannot hand" << path << "to the server's user";
        return false;
    }
    return true;
}

bool PgCluster::create()
{
    if (!m_dir.isValid() || !handToServerUser(m_dir.path()))
        return false;
    const QDir dir(m_dir.path());
    const QString data = dir.filePath(QStringLiteral("data"));

    // TLS: a CA for this run, the server's certificate and key (the server's user must own the
    // key, mode 0600, or PostgreSQL refuses it), and a client certificate for the role.
    TestCa ca(m_dir.path(), QStringLiteral("ca"));
    if (!ca.isValid())
        return false;
    const TestCa::Issued server =
        ca.issue(QStringLiteral("server"), m_options.serverNames.value(0), m_options.serverNames, true);
    const TestCa::Issued client = ca.issue(QStringLiteral("client"), user(), {}, false);
    if (server.certificate.isEmpty() || client.certificate.isEmpty())
        return false;
    m_caCertificate = ca.certificatePath();
    m_clientCertificate = client.certificate;
    m_clientKey = client.key;
    for (const QString& path : {m_caCertificate, server.certificate, server.key})
        if (!handToServerUser(path))
            return false;

    m_superuserPassword = randomSecret();
    const QString superuserFile = dir.filePath(QStringLiteral("superuser.pw"));
    m_passwordFile = dir.filePath(QStringLiteral("role.pw"));
    const QString rolePassword = randomSecret();
    if (!writeFile(superuserFile, m_superuserPassword.toUtf8() + '\n',
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        !handToServerUser(superuserFile) ||
        !writeFile(m_passwordFile, rolePassword.toUtf8() + '\n', QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return false;

    if (!runTool(QStringLiteral("initdb"),
                 {QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("cluster_admin"),
                  QStringLiteral("--pwfile=") + superuserFile, QStringLiteral("--auth-local=scram-sha-256"),
                  QStringLiteral("--auth-host=scram-sha-256"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                  QStringLiteral("--locale=C"), QStringLiteral("--no-sync"), QStringLiteral("--no-instructions")}))
        return false;
    QFile::remove(superuserFile);

    QByteArray settings = "\n# countersign test cluster\n"
                          "listen_addresses = '127.0.0.1'\n"
                          "unix_socket_directories = " +
                          quotedSetting(m_dir.path()) +
                          "\n"
                          "ssl = on\n"
                          "ssl_min_protocol_version = 'TLSv1.3'\n"
                          "ssl_cert_file = " +
                          quotedSetting(server.certificate) + "\nssl_key_file = " + quotedSetting(server.key) +
                          "\nssl_ca_file = " + quotedSetting(m_caCertificate) +
                          "\n"
                          "password_encryption = 'scram-sha-256'\n"
                          "log_connections = on\n"
                          "max_connections = 200\n"
                          "shared_buffers = '32MB'\n";
    settings += m_options.fsync ? "fsync = on\n" : "fsync = off\nsynchronous_commit = on\nfull_page_writes = off\n";
    // Over TCP only TLS connections get in (hostssl; no "host" line), all with scram-sha-256;
    // the local socket serves the superuser's setup work.
    const QByteArray hba = "local all all scram-sha-256\n"
                           "hostssl all all 127.0.0.1/32 scram-sha-256\n"
                           "hostssl all all ::1/128 scram-sha-256\n";
    if (!appendFile(QDir(data).filePath(QStringLiteral("postgresql.conf")), settings) ||
        !writeFile(QDir(data).filePath(QStringLiteral("pg_hba.conf")), hba,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return false;

    if (!startServer())
        return false;
    return execute(QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2'").arg(user(), rolePassword)) &&
           execute(QStringLiteral("CREATE DATABASE %1 OWNER %2").arg(database(), user()));
}

bool PgCluster::start()
{
    if (isRunning())
        return true;
    if (m_created)
        return startServer();
    QElapsedTimer timer;
    timer.start();
    m_created = true;
    const bool created = create();
    m_setupMs = timer.elapsed();
    if (!created)
        qWarning().noquote() << "the PostgreSQL test cluster did not start; its log:\n" << log();
    return created;
}

bool PgCluster::startServer()
{
    const QString data = QDir(m_dir.path()).filePath(QStringLiteral("data"));
    const QString logPath = QDir(m_dir.path()).filePath(QStringLiteral("postgres.log"));
    // A port free when asked may be taken before the server binds it: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (m_port == 0 || attempt > 0)
            m_port = freeLoopbackPort();
        prepareProcess(m_server);
        m_server.setStandardOutputFile(logPath, QIODevice::Append);
        m_server.setStandardErrorFile(logPath, QIODevice::Append);
        m_server.start(binary(QStringLiteral("postgres")),
                       {QStringLiteral("-D"), data, QStringLiteral("-p"), QString::number(m_port)});
        if (!m_server.waitForStarted(START_TIMEOUT_MS))
            return false;
        // pg_ctl's own test for readiness: the postmaster writes "ready" as the status line of
        // postmaster.pid once it accepts connections.
        const QString pidFile = QDir(data).filePath(QStringLiteral("postmaster.pid"));
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < START_TIMEOUT_MS && m_server.state() == QProcess::Running) {
            QFile file(pidFile);
            if (file.open(QIODevice::ReadOnly)) {
                const QList<QByteArray> lines = file.readAll().split('\n');
                if (lines.size() > 7 && lines.at(7).trimmed() == "ready")
                    return true;
            }
            m_server.waitForFinished(25);
        }
        const QString text = log();
        if (m_server.state() == QProcess::Running)
            break;
        if (!text.contains(QStringLiteral("could not bind")) && !text.contains(QStringLiteral("already in use")))
            break;
    }
    return false;
}

bool PgCluster::stop()
{
    if (m_server.state() == QProcess::NotRunning)
        return true;
    // SIGINT: PostgreSQL's fast shutdown, the one pg_ctl stop uses by default.
    ::kill(static_cast<pid_t>(m_server.processId()), SIGINT);
    if (m_server.waitForFinished(STOP_TIMEOUT_MS))
        return true;
    ::kill(static_cast<pid_t>(m_server.processId()), SIGQUIT);
    if (m_server.waitForFinished(STOP_TIMEOUT_MS))
        return true;
    m_server.kill();
    return m_server.waitForFinished(STOP_TIMEOUT_MS);
}

bool PgCluster::isRunning() const
{
    return m_server.state() == QProcess::Running;
}

QString PgCluster::log() const
{
    QFile file(QDir(m_dir.path()).filePath(QStringLiteral("postgres.log")));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

storage::PgConnectionConfig PgCluster::connectionConfig(const QString& host, const QString& database) const
{
    storage::PgConnectionConfig config;
    config.host = host;
    config.port = m_port;
    config.database = database.isEmpty() ? this->database() : database;
    config.user = user();
    config.passwordFile = m_passwordFile;
    config.sslMode = storage::PgConnectionConfig::SslMode::VerifyFull;
    config.sslRootCert = m_caCertificate;
    return config;
}

bool PgCluster::createDatabase(const QString& name) const
{
    return execute(QStringLiteral("CREATE DATABASE %1 OWNER %2").arg(name, user()));
}

bool PgCluster::execute(const QString& sql, const QString& database) const
{
    const QString name = QStringLiteral("pgcluster-") + QUuid::createUuid().toString(QUuid::Id128);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(m_dir.path());
        db.setPort(m_port);
        db.setDatabaseName(database);
        db.setUserName(QStringLiteral("cluster_admin"));
        db.setPassword(m_superuserPassword);
        if (!db.open()) {
            qWarning().noquote() << "cannot reach the test cluster as its superuser:" << db.lastError().text();
        } else {
            QSqlQuery query(db);
            ok = query.exec(sql);
            if (!ok)
                qWarning().noquote() << sql << "failed:" << query.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace countersign::test
