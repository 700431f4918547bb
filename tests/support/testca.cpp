#include "testca.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QRandomGenerator>
#include <QtDebug>

namespace countersign::test {

bool runOpenSsl(const QStringList& arguments)
{
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(QStringLiteral("openssl"), arguments);
    if (!openssl.waitForFinished(60000) || openssl.exitStatus() != QProcess::NormalExit || openssl.exitCode() != 0) {
        qWarning().noquote() << "openssl" << arguments.join(u' ') << "failed:" << openssl.errorString()
                             << QString::fromLocal8Bit(openssl.readAll());
        return false;
    }
    return true;
}

TestCa::TestCa(const QString& dir, const QString& name)
    : m_dir(dir)
    , m_certificate(QDir(dir).filePath(name + QStringLiteral(".crt")))
    , m_key(QDir(dir).filePath(name + QStringLiteral(".key")))
{
    m_valid =
        runOpenSsl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                    QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                    QStringLiteral("-keyout"), m_key, QStringLiteral("-out"), m_certificate, QStringLiteral("-days"),
                    QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=Countersign test CA ") + name,
                    QStringLiteral("-addext"), QStringLiteral("basicConstraints=critical,CA:TRUE"),
                    QStringLiteral("-addext"), QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")});
}

TestCa::Issued TestCa::issue(const QString& fileBase, const QString& commonName, const QStringList& names,
                             bool server) const
{
    const QDir dir(m_dir);
    const QString certificate = dir.filePath(fileBase + QStringLiteral(".crt"));
    const QString key = dir.filePath(fileBase + QStringLiteral(".key"));
    const QString request = dir.filePath(fileBase + QStringLiteral(".csr"));
    const QString extensions = dir.filePath(fileBase + QStringLiteral(".ext"));
    QStringList alternatives;
    for (const QString& name : names)
        alternatives << (QHostAddress(name).isNull() ? QStringLiteral("DNS:") : QStringLiteral("IP:")) + name;
    QFile file(extensions);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    QByteArray text = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=";
    text += server ? "serverAuth\n" : "clientAuth\n";
    if (!alternatives.isEmpty())
        text += "subjectAltName=" + alternatives.join(u',').toUtf8() + '\n';
    file.write(text);
    file.close();
    if (!runOpenSsl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                     QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                     key, QStringLiteral("-out"), request, QStringLiteral("-subj"),
                     QStringLiteral("/CN=") + commonName}) ||
        !runOpenSsl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), request,
                     QStringLiteral("-CA"), m_certificate, QStringLiteral("-CAkey"), m_key,
                     QStringLiteral("-set_serial"), QString::number(QRandomGenerator::global()->generate64() >> 1),
                     QStringLiteral("-out"), certificate, QStringLiteral("-days"), QStringLiteral("2"),
                     QStringLiteral("-extfile"), extensions}))
        return {};
    // Private keys readable by their owner only: libpq refuses a client key others can read.
    QFile::setPermissions(key, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return Issued{certificate, key};
}

} // namespace countersign::test
