#pragma once

#include <QString>
#include <QStringList>

namespace countersign::test {

/// A certificate authority made for one test run with the openssl command (P-256 keys, valid for
/// two days): its key and certificate in a directory, and the certificates it issues there.
class TestCa final {
public:
    struct Issued {
        QString certificate;
        QString key;
    };

    /// Makes \a name.key and \a name.crt in \a dir. Check isValid().
    TestCa(const QString& dir, const QString& name);
    [[nodiscard]] bool isValid() const { return m_valid; }
    [[nodiscard]] QString certificatePath() const { return m_certificate; }

    /// Issues \a fileBase.crt/.key to \a commonName for \a names (DNS names or IP addresses, put in
    /// subjectAltName), for a server (serverAuth) or a client (clientAuth). Empty paths on failure.
    [[nodiscard]] Issued issue(const QString& fileBase, const QString& commonName, const QStringList& names,
                               bool server) const;

private:
    QString m_dir;
    QString m_certificate;
    QString m_key;
    bool m_valid = false;
};

/// Runs the openssl command with \a arguments; false (and a warning with its output) on failure.
[[nodiscard]] bool runOpenSsl(const QStringList& arguments);

} // namespace countersign::test
