#include "testsupport.h"

#include "application/instance.h"
#include "application/openservices.h"
#include "approvals/requestservice.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "audit/auditlog.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTest>

namespace countersign::test {

crypto::SecureBuffer secure(const QString& text)
{
    QByteArray bytes = text.toUtf8();
    return crypto::SecureBuffer::takeFrom(bytes);
}

std::unique_ptr<vault::Vault> createVault(const QString& dir, const QString& owner)
{
    vault::Vault::CreateOptions options;
    options.kdf = crypto::KdfParams::fast();
    auto created = vault::Vault::create(dir, owner, secure(PASSPHRASE), options);
    if (!created) {
        qWarning("createVault: %s", qPrintable(created.error().message));
        return nullptr;
    }
    return std::move(*created);
}

std::unique_ptr<vault::Vault> openVault(const QString& dir, const QString& passphrase)
{
    auto opened = vault::Vault::open(dir, secure(passphrase));
    if (!opened) {
        qWarning("openVault: %s", qPrintable(opened.error().message));
        return nullptr;
    }
    return std::move(*opened);
}

std::unique_ptr<application::Instance> openInstance(std::unique_ptr<vault::Vault> vault,
                                                    const http::EndpointSettings& settings)
{
    if (!vault)
        return nullptr;
    auto opened = application::Instance::open(std::move(vault), settings);
    if (!opened) {
        qWarning("openInstance: %s", qPrintable(describe(opened)));
        return nullptr;
    }
    return std::move(*opened);
}

std::unique_ptr<approvals::Services> openServices(const vault::Vault& vault, approvals::RequestEvents& events,
                                                  const QString& connectionName)
{
    auto opened = application::openServices(vault, events, connectionName);
    if (!opened) {
        qWarning("openServices: %s", qPrintable(describe(opened)));
        return nullptr;
    }
    return std::move(*opened);
}

approvals::RuntimeIdentity registerRuntime(approvals::Services& services, const QString& name, const QStringList& globs)
{
    auto token = services.runtimes().registerRuntime(name, globs, QStringLiteral("member:owner"));
    if (!token)
        return {};
    return services.requests().authenticate(token->toLatin1()).value_or(approvals::RuntimeIdentity{});
}

std::shared_ptr<const crypto::SigningKey> addMember(approvals::Services& services, const QString& id,
                                                    const QString& displayName, const QString& role)
{
    auto key = std::make_shared<const crypto::SigningKey>(crypto::SigningKey::generate());
    QSqlQuery insert(services.database());
    insert.prepare(
        QStringLiteral("INSERT INTO members (id, display_name, role, public_key, created_at) VALUES (?, ?, ?, ?, 0)"));
    insert.addBindValue(id);
    insert.addBindValue(displayName);
    insert.addBindValue(role);
    insert.addBindValue(key->publicKey());
    if (!insert.exec())
        return nullptr;
    // As a member's joining is: the log registers the key (receipts prove keys by this entry).
    if (!services.audit().append(
            {QStringLiteral("system"), QStringLiteral("member.added"), QStringLiteral("member:") + id,
             QJsonObject{{QStringLiteral("display_name"), displayName},
                         {QStringLiteral("role"), role},
                         {QStringLiteral("public_key"), QString::fromLatin1(key->publicKey().toBase64())}}}))
        return nullptr;
    services.requests().setLocalSigningKey(id, key);
    return key;
}

approvals::Request stored(approvals::RequestService& requests, const QString& id, std::source_location where)
{
    auto request = requests.request(id);
    if (request)
        return *request;
    const QByteArray message = QStringLiteral("request %1 cannot be read: %2").arg(id, describe(request)).toUtf8();
    QTest::qFail(message.constData(), where.file_name(), static_cast<int>(where.line()));
    return {};
}

QString createRequest(approvals::RequestService& requests, const approvals::RuntimeIdentity& runtime,
                      const QString& summary, const QString& risk, const QJsonValue& payload)
{
    QJsonObject body{{QStringLiteral("capability"), QStringLiteral("deploy.web")},
                     {QStringLiteral("summary"), summary},
                     {QStringLiteral("risk"), risk}};
    if (!payload.isUndefined())
        body.insert(QStringLiteral("payload"), payload);
    auto result = requests.createRequest(runtime, body, {});
    if (!result) {
        qWarning("createRequest: %s", qPrintable(result.error().message));
        return {};
    }
    return result->request.id;
}

QByteArray fileDigest(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result();
}

void writeTextFile(const QString& path, const QString& text)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(text.toUtf8() + '\n');
}

bool copyDirectory(const QString& from, const QString& to)
{
    const QDir source(from);
    if (!source.exists() || !QDir().mkpath(to))
        return false;
    QFile::setPermissions(to, QFile::permissions(from));
    for (const QString& name : source.entryList(QDir::Files | QDir::Hidden)) {
        const QString target = QDir(to).filePath(name);
        if (!QFile::copy(source.filePath(name), target))
            return false;
        QFile::setPermissions(target, QFile::permissions(source.filePath(name)));
    }
    return true;
}

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : quint16{0};
}

bool startHeadless(QProcess& server, const QString& app, const QString& dataDir, const QString& passFile, quint16 port,
                   const QStringList& extraArguments, QByteArray& output)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("COUNTERSIGN_PASSPHRASE_FILE"), passFile);
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*=false"));
    server.setProcessEnvironment(env);
    server.start(app, QStringList{QStringLiteral("--headless"), QStringLiteral("--data-dir"), dataDir,
                                  QStringLiteral("--port"), QString::number(port), QStringLiteral("--socket"),
                                  QStringLiteral("none")} +
                          extraArguments);
    QElapsedTimer waited;
    waited.start();
    while (!output.contains("serving") && waited.elapsed() < 60000 && server.state() != QProcess::NotRunning) {
        server.waitForReadyRead(200);
        output += server.readAllStandardOutput();
    }
    return output.contains("serving");
}

QByteArray httpExchange(QAbstractSocket& socket, const QByteArray& method, const QByteArray& path,
                        const QByteArray& host, const QByteArray& token, const QByteArray& body,
                        const QByteArray& contentType)
{
    socket.write(method + ' ' + path + " HTTP/1.1\r\nHost: " + host + "\r\n" +
                 (token.isEmpty() ? QByteArray() : "Authorization: Bearer " + token + "\r\n") +
                 "Connection: close\r\nContent-Type: " + contentType +
                 "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray response;
    while (socket.waitForReadyRead(10000))
        response += socket.readAll();
    return response + socket.readAll();
}

QString optionValue(const QStringList& arguments, const QString& name, const QString& fallback)
{
    const qsizetype at = arguments.indexOf(name);
    return at >= 0 ? arguments.value(at + 1) : fallback;
}

void stopProcess(QProcess& process, int graceMs)
{
    if (process.state() == QProcess::NotRunning)
        return;
    process.terminate();
    if (!process.waitForFinished(graceMs)) {
        process.kill();
        process.waitForFinished(5000);
    }
}

} // namespace countersign::test
