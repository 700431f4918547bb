#include "teamnodeprocess.h"

#include "approvals/decisionstatement.h"
#include "crypto/signingkey.h"
#include "evidence/checkpoint.h"
#include "members/sessionservice.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslSocket>
#include <QUrl>

#include <csignal>
#include <sys/prctl.h>

namespace countersign::test {

namespace {

QByteArray compact(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject bodyOf(const QByteArray& response)
{
    return QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
}

} // namespace

QString teamDatabaseUrl(const storage::PgConnectionConfig& config)
{
    return QStringLiteral("postgresql://%1@%2:%3/%4?sslrootcert=%5&password_file=%6")
        .arg(config.user, config.host)
        .arg(config.port)
        .arg(config.database, QString::fromLatin1(QUrl::toPercentEncoding(config.sslRootCert)),
             QString::fromLatin1(QUrl::toPercentEncoding(config.passwordFile)));
}

TeamNodeProcess::~TeamNodeProcess()
{
    stop();
}

bool TeamNodeProcess::start(const QString& app, const QString& url, const QString& nodeDir,
                            const QString& passphraseFile)
{
    Options options;
    options.environment.insert(QStringLiteral("COUNTERSIGN_TEAM_PASSPHRASE_FILE"), passphraseFile);
    return start(app, url, nodeDir, std::move(options));
}

bool TeamNodeProcess::start(const QString& app, const QString& url, const QString& nodeDir, Options options)
{
    m_process = std::make_unique<QProcess>();
    m_port = 0;
    m_tlsPort = 0;
    m_startOutput.clear();
    options.environment.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("countersign.*.debug=false"));
    m_process->setProcessEnvironment(options.environment);
    // A test or benchmark that dies leaves no node behind, retrying a database that is gone too
    // (prctl(2): the signal comes when the thread that started the node ends).
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_process->start(app, QStringList{QStringLiteral("--headless"), QStringLiteral("--database"), url,
                                      QStringLiteral("--node-dir"), nodeDir, QStringLiteral("--port"),
                                      QStringLiteral("0"), QStringLiteral("--socket"), QStringLiteral("none"),
                                      QStringLiteral("--rate-limit"), QStringLiteral("100000"),
                                      QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(options.tlsPort),
                                      QStringLiteral("--public-host"), QStringLiteral("127.0.0.1")} +
                              options.keyArguments);
    if (!m_process->waitForStarted(10000))
        return false;
    static const QRegularExpression SERVING(QStringLiteral("serving http://127.0.0.1:(\\d+)"));
    static const QRegularExpression TLS(QStringLiteral("members on https://127.0.0.1:(\\d+)"));
    QElapsedTimer timer;
    timer.start();
    QByteArray output;
    // Until the line naming the TLS listener (and the certificate) has come whole.
    while (timer.elapsed() < 60000 && !(TLS.match(QString::fromUtf8(output)).hasMatch() && output.endsWith('\n'))) {
        m_process->waitForReadyRead(500);
        output += m_process->readAllStandardOutput();
        if (m_process->state() != QProcess::Running) {
            qWarning("the node ended: %s", m_process->readAllStandardError().constData());
            return false;
        }
    }
    m_startOutput = output;
    m_port = static_cast<quint16>(SERVING.match(QString::fromUtf8(output)).captured(1).toUInt());
    m_tlsPort = static_cast<quint16>(TLS.match(QString::fromUtf8(output)).captured(1).toUInt());
    if (m_port == 0 || m_tlsPort == 0)
        qWarning("the node said: %s", output.constData());
    return m_port != 0 && m_tlsPort != 0;
}

void TeamNodeProcess::stop()
{
    if (m_process)
        stopProcess(*m_process);
}

void TeamNodeProcess::kill()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->kill();
    m_process->waitForFinished(10000);
}

bool TeamNodeProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QByteArray TeamNodeProcess::errorOutput()
{
    return m_process ? m_process->readAllStandardError().right(4000) : QByteArray();
}

QByteArray rawHttpRequest(const QByteArray& method, const QByteArray& target, quint16 port, const QByteArray& token,
                          const QByteArray& body, const QByteArray& extraHeaders)
{
    return method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n" +
           (token.isEmpty() ? QByteArray() : "Authorization: Bearer " + token + "\r\n") + extraHeaders +
           (body.isEmpty()
                ? QByteArray()
                : "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n") +
           "Connection: close\r\n\r\n" + body;
}

int httpStatus(const QByteArray& response)
{
    // "HTTP/1.1 200 OK"
    return response.startsWith("HTTP/1.1 ") ? response.mid(9, 3).toInt() : 0;
}

QByteArray sendOverTls(quint16 port, const QByteArray& pin, const QByteArray& request)
{
    QSslSocket socket;
    socket.setPeerVerifyMode(QSslSocket::VerifyNone);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForEncrypted(20000))
        return {};
    if (socket.peerCertificate().digest(QCryptographicHash::Sha256) != pin)
        return {};
    socket.write(request);
    QByteArray response;
    while (socket.waitForReadyRead(30000))
        response += socket.readAll();
    return response + socket.readAll();
}

QByteArray exchangeOverTls(quint16 port, const QByteArray& pin, const QByteArray& method, const QByteArray& path,
                           const QByteArray& token, const QByteArray& body)
{
    return sendOverTls(port, pin, rawHttpRequest(method, path, port, token, body));
}

QByteArray TeamMemberClient::openSession(quint16 tlsPort, const QByteArray& pin) const
{
    const QByteArray challenge = exchangeOverTls(tlsPort, pin, "POST", "/v1/sessions/challenge", {},
                                                 compact(QJsonObject{{QStringLiteral("member"), id}}));
    const QJsonObject offered = bodyOf(challenge);
    const QByteArray nonce = QByteArray::fromBase64(offered.value(QStringLiteral("nonce")).toString().toLatin1());
    if (nonce.isEmpty())
        return {};
    const QByteArray signature =
        key->sign(members::SessionService::statement(offered.value(QStringLiteral("instance")).toString(), id, nonce));
    const QByteArray opened =
        exchangeOverTls(tlsPort, pin, "POST", "/v1/sessions", {},
                        compact(QJsonObject{{QStringLiteral("member"), id},
                                            {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())},
                                            {QStringLiteral("signature"), QString::fromLatin1(signature.toBase64())}}));
    return bodyOf(opened).value(QStringLiteral("token")).toString().toLatin1();
}

QByteArray TeamMemberClient::decisionBody(const QString& requestId, const QString& digest, bool approve,
                                          const QByteArray& instancePublicKey) const
{
    const approvals::DecisionStatement statement{requestId,
                                                 id,
                                                 digest,
                                                 approve,
                                                 QStringLiteral("checked on my node"),
                                                 QDateTime::currentMSecsSinceEpoch(),
                                                 audit::Checkpoint::originFor(instancePublicKey)};
    return compact(
        QJsonObject{{QStringLiteral("verdict"), approve ? QStringLiteral("approve") : QStringLiteral("deny")},
                    {QStringLiteral("reason"), statement.reason},
                    {QStringLiteral("payload_sha256"), digest},
                    {QStringLiteral("decided_at_ms"), statement.decidedAtMs},
                    {QStringLiteral("signature"), QString::fromLatin1(statement.sign(*key).toBase64())}});
}

} // namespace countersign::test
